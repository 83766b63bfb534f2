/** The arguments the page may send to main, per API method. The renderer is untrusted input: each
 *  call is validated here before it reaches the core. */
import { DEFAULT_LIMITS } from '@vm-messenger/protocol';
import { z } from 'zod';
import type { InvokeMethod } from '../preload/ipc-contract.js';

const none = z.tuple([]);
const bubbleKey = z.tuple([z.string().min(1).max(200)]);

/** A file dropped or pasted into the page crosses IPC as bytes (structured clone, in memory on both
 *  sides), so the page may hand over this much at most; the daemon's own limit (2 GiB by default)
 *  is for files sent by path. */
export const IPC_MAX_FILE_BYTES = 256 * 1024 * 1024;

export const IPC_ARGS = {
  getSnapshot: none,
  sendText: z.tuple([z.string().trim().min(1, 'message is empty').max(DEFAULT_LIMITS.maxTextLength, `message is longer than ${DEFAULT_LIMITS.maxTextLength} characters`)]),
  sendImage: z.tuple([
    z.object({
      name: z.string().min(1, 'image has no file name').max(1000),
      bytes: z
        .instanceof(Uint8Array)
        .refine((b) => b.byteLength > 0, 'image file is empty')
        .refine((b) => b.byteLength <= DEFAULT_LIMITS.maxImageBytes, `image is larger than ${DEFAULT_LIMITS.maxImageBytes / (1024 * 1024)} MB`),
    }),
  ]),
  sendFile: z.tuple([
    z.object({
      name: z.string().min(1, 'file has no name').max(1000),
      bytes: z
        .instanceof(Uint8Array)
        .refine((b) => b.byteLength <= IPC_MAX_FILE_BYTES, `file is larger than ${IPC_MAX_FILE_BYTES / (1024 * 1024)} MB: send it with vmm send-file instead`),
    }),
  ]),
  pair: z.tuple([z.string().trim().min(1, 'paste the pairing string first').max(4096), z.string().trim().max(DEFAULT_LIMITS.maxNameLength).optional()]),
  reconnectNow: none,
  loadOlder: none,
  openImage: bubbleKey,
  openFile: bubbleKey,
  showInFolder: bubbleKey,
  imageData: bubbleKey,
  imageAction: z.tuple([z.string().min(1).max(200), z.enum(['copy', 'save-as', 'show-in-folder', 'open-external'])]),
  openLink: z.tuple([z.string().min(1).max(8192)]),
  retry: bubbleKey,
  remove: bubbleKey,
  markRead: none,
  updateSettings: z.tuple([
    z
      .object({
        notifications: z.boolean().optional(),
        doNotDisturb: z.boolean().optional(),
        startAtLogin: z.boolean().optional(),
        clientName: z.string().trim().min(1, 'client name is empty').max(DEFAULT_LIMITS.maxNameLength).optional(),
        receivedFilesDir: z.string().trim().min(1, 'choose a folder').max(1024).optional(),
        globalShortcut: z.string().trim().max(100).optional(),
      })
      .strict(),
  ]),
} satisfies Record<InvokeMethod, z.ZodType>;

/** Methods whose answer is an ActionResult: bad arguments become `{ok:false}` the page can show;
 *  for the others they reject the call. */
export const ACTION_METHODS: ReadonlySet<InvokeMethod> = new Set([
  'sendText',
  'sendImage',
  'sendFile',
  'pair',
  'openImage',
  'openFile',
  'showInFolder',
  'imageData',
  'imageAction',
  'openLink',
  'retry',
  'remove',
  'updateSettings',
]);

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join('; ');
}
