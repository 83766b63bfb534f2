/** The arguments the page may send to main, per API method. The renderer is untrusted input: each
 *  call is validated here before it reaches the core. */
import { DEFAULT_LIMITS } from '@vm-messenger/protocol';
import { z } from 'zod';
import type { InvokeMethod } from '../preload/ipc-contract.js';

const none = z.tuple([]);

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
  pair: z.tuple([z.string().trim().min(1, 'paste the pairing string first').max(4096), z.string().trim().max(DEFAULT_LIMITS.maxNameLength).optional()]),
  reconnectNow: none,
  loadOlder: none,
  openImage: z.tuple([z.string().min(1).max(200)]),
  markRead: none,
  updateSettings: z.tuple([
    z
      .object({
        notifications: z.boolean().optional(),
        doNotDisturb: z.boolean().optional(),
        startAtLogin: z.boolean().optional(),
        clientName: z.string().trim().min(1, 'client name is empty').max(DEFAULT_LIMITS.maxNameLength).optional(),
      })
      .strict(),
  ]),
} satisfies Record<InvokeMethod, z.ZodType>;

/** Methods whose answer is an ActionResult: bad arguments become `{ok:false}` the page can show;
 *  for the others they reject the call. */
export const ACTION_METHODS: ReadonlySet<InvokeMethod> = new Set(['sendText', 'sendImage', 'pair', 'openImage', 'updateSettings']);

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join('; ');
}
