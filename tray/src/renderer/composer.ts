/** The message box and every way of sending an image or any other file: the button (file chooser),
 *  drag-and-drop anywhere on the chat, and paste. Nothing typed is lost: the text stays until the send is accepted. */
import type { ActionResult, VmMessengerApi } from '../core/bridge-api.js';
import type { LocalPreview } from './bubble.js';
import { makePreview } from './local-preview.js';
import { errorText, showFailure } from './notice.js';

export interface ComposerElements {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  attach: HTMLButtonElement;
  fileInput: HTMLInputElement;
  dropZone: HTMLElement;
  dropOverlay: HTMLElement;
}

const MAX_INPUT_HEIGHT_PX = 132;

export interface ComposerHooks {
  notify(message: string): void;
  /** A local picture of an image just queued under `key`. */
  preview(key: string, preview: LocalPreview): void;
}

export class Composer {
  private sending = false;
  private enabled = true;

  constructor(
    private readonly ui: ComposerElements,
    private readonly api: Pick<VmMessengerApi, 'sendText' | 'sendImage' | 'sendFile'>,
    private readonly hooks: ComposerHooks,
  ) {
    ui.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.sendText();
    });
    ui.input.addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a newline; Enter that confirms an IME composition is neither.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        void this.sendText();
      }
    });
    ui.input.addEventListener('input', () => {
      this.resize();
      this.refreshSend();
    });
    ui.attach.addEventListener('click', () => ui.fileInput.click());
    ui.fileInput.addEventListener('change', () => {
      const files = [...(ui.fileInput.files ?? [])];
      ui.fileInput.value = '';
      void this.sendFiles(files);
      ui.input.focus();
    });
    ui.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return; // plain text: let the textarea have it
      e.preventDefault();
      void this.sendFiles(files);
    });
    this.installDropZone();
    this.resize();
    this.refreshSend();
  }

  focus(): void {
    this.ui.input.focus();
  }

  /** Off while the VM refuses this pairing: nothing typed could be sent. The text stays. */
  setEnabled(enabled: boolean, placeholder: string): void {
    this.enabled = enabled;
    const { input, attach, fileInput } = this.ui;
    input.disabled = !enabled;
    attach.disabled = !enabled;
    fileInput.disabled = !enabled;
    input.placeholder = placeholder;
    this.refreshSend();
  }

  /** Send is live only when there is something to send. */
  private refreshSend(): void {
    this.ui.send.disabled = !this.enabled || this.ui.input.value.trim() === '';
  }

  private resize(): void {
    const { input } = this.ui;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, MAX_INPUT_HEIGHT_PX)}px`;
  }

  private async sendText(): Promise<void> {
    const text = this.ui.input.value;
    if (text.trim() === '' || this.sending) return;
    this.sending = true;
    try {
      const result = await this.api.sendText(text);
      if (result.ok) {
        // Only clear what was sent: the user may have kept typing while it went.
        if (this.ui.input.value === text) this.ui.input.value = '';
        this.resize();
      } else {
        showFailure('Message not sent.', result);
      }
    } catch (err) {
      showFailure('Message not sent.', { code: 'internal', message: errorText(err) });
    } finally {
      this.sending = false;
      this.refreshSend();
    }
  }

  /** Images go as images (with their preview); anything else as a file. The daemon decides in the
   *  end: an "image" that fails its checks arrives as a file, never as a picture. */
  async sendFiles(files: readonly File[]): Promise<void> {
    if (!this.enabled) return;
    for (const file of files) {
      const isImage = file.type.startsWith('image/');
      const name = isImage ? imageName(file) : file.name || 'unnamed file';
      let result: ActionResult;
      const preview = isImage ? makePreview(file) : Promise.resolve(undefined);
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        result = isImage ? await this.api.sendImage({ name, bytes }) : await this.api.sendFile({ name, bytes });
      } catch (err) {
        result = { ok: false, code: 'internal', message: errorText(err) };
      }
      if (!result.ok) {
        showFailure(`${name} not sent.`, result);
        continue;
      }
      const key = result.key;
      if (key) void preview.then((p) => p && this.hooks.preview(key, p));
    }
  }

  private installDropZone(): void {
    const { dropZone, dropOverlay } = this.ui;
    let depth = 0;
    const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;
    dropZone.addEventListener('dragenter', (e) => {
      if (!hasFiles(e) || !this.enabled) return;
      e.preventDefault();
      depth += 1;
      dropOverlay.hidden = false;
    });
    dropZone.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    });
    dropZone.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) dropOverlay.hidden = true;
    });
    dropZone.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      dropOverlay.hidden = true;
      void this.sendFiles([...(e.dataTransfer?.files ?? [])]);
    });
  }
}

/** Pasted screenshots arrive as "image.png"; give them a name worth keeping on the VM. */
function imageName(file: File): string {
  if (file.name && file.name !== 'image.png') return file.name;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const ext = file.type === 'image/jpeg' ? 'jpg' : (file.type.split('/')[1] ?? 'png');
  return `pasted-${stamp}.${ext}`;
}
