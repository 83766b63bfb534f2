/** The in-app image viewer: the full picture in a modal dialog, fit to the window or at real
 *  size and zoomed, with Copy, Save as…, Show in folder and Open in the default viewer. The bytes
 *  come over the bridge and become a data: URL (the page's CSP allows no other image source). */
import type { ImageAction, VmMessengerApi } from '../core/bridge-api.js';
import { byId } from './dom.js';
import { showFailure } from './notice.js';

/** Zoom steps as a fraction of the natural size; 'fit' shrinks to the window (never enlarges). */
export const ZOOM_STEPS: readonly number[] = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];
export type Zoom = 'fit' | number;

/** The next zoom in `direction` from the current one; `fitScale` is what 'fit' shows now. */
export function nextZoom(current: Zoom, direction: 1 | -1, fitScale: number): number {
  const now = current === 'fit' ? fitScale : current;
  if (direction > 0) return ZOOM_STEPS.find((z) => z > now + 1e-6) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1]!;
  return [...ZOOM_STEPS].reverse().find((z) => z < now - 1e-6) ?? ZOOM_STEPS[0]!;
}

export class ImageViewer {
  private readonly dialog = byId('image-viewer', HTMLDialogElement);
  private readonly img = byId('viewer-image', HTMLImageElement);
  private readonly stage = byId('viewer-stage', HTMLDivElement);
  private readonly zoomLabel = byId('viewer-zoom', HTMLButtonElement);
  private key: string | undefined;
  private zoom: Zoom = 'fit';

  constructor(private readonly api: Pick<VmMessengerApi, 'imageData' | 'imageAction'>) {
    byId('viewer-close', HTMLButtonElement).addEventListener('click', () => this.dialog.close());
    byId('viewer-zoom-in', HTMLButtonElement).addEventListener('click', () => this.setZoom(nextZoom(this.zoom, 1, this.fitScale())));
    byId('viewer-zoom-out', HTMLButtonElement).addEventListener('click', () => this.setZoom(nextZoom(this.zoom, -1, this.fitScale())));
    this.zoomLabel.addEventListener('click', () => this.setZoom(this.zoom === 'fit' ? 1 : 'fit'));
    const act = (id: string, action: ImageAction): void =>
      byId(id, HTMLButtonElement).addEventListener('click', () => void this.act(action));
    act('viewer-copy', 'copy');
    act('viewer-save', 'save-as');
    act('viewer-folder', 'show-in-folder');
    act('viewer-external', 'open-external');
    this.dialog.addEventListener('close', () => {
      this.img.removeAttribute('src');
      this.key = undefined;
    });
    this.stage.addEventListener('wheel', (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      this.setZoom(nextZoom(this.zoom, e.deltaY < 0 ? 1 : -1, this.fitScale()));
    });
    this.dialog.addEventListener('keydown', (e) => {
      if (e.key === '+' || e.key === '=') this.setZoom(nextZoom(this.zoom, 1, this.fitScale()));
      else if (e.key === '-') this.setZoom(nextZoom(this.zoom, -1, this.fitScale()));
      else if (e.key === '0') this.setZoom('fit');
    });
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  async open(key: string, name: string): Promise<void> {
    this.key = key;
    byId('viewer-title', HTMLHeadingElement).textContent = name;
    this.img.alt = name;
    this.setZoom('fit');
    this.dialog.dataset['loading'] = 'true';
    if (!this.dialog.open) this.dialog.showModal();
    const data = await this.api.imageData(key);
    if (this.key !== key) return;
    if (!data.ok) {
      this.dialog.close();
      showFailure('Could not show the image.', data);
      return;
    }
    this.img.src = await dataUrl(data.bytes, data.mime);
    await this.img.decode().catch(() => undefined);
    delete this.dialog.dataset['loading'];
    this.setZoom('fit');
    byId('viewer-close', HTMLButtonElement).focus();
  }

  private fitScale(): number {
    const { naturalWidth: w, naturalHeight: h } = this.img;
    if (!w || !h) return 1;
    return Math.min(1, this.stage.clientWidth / w, this.stage.clientHeight / h);
  }

  private setZoom(zoom: Zoom): void {
    this.zoom = zoom;
    this.stage.dataset['zoom'] = zoom === 'fit' ? 'fit' : 'manual';
    if (zoom === 'fit') {
      this.img.style.removeProperty('width');
      this.zoomLabel.textContent = 'Fit';
      this.zoomLabel.setAttribute('aria-label', 'Zoom: fit to window. Show at real size');
    } else {
      this.img.style.width = `${Math.round(this.img.naturalWidth * zoom)}px`;
      this.zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
      this.zoomLabel.setAttribute('aria-label', `Zoom: ${Math.round(zoom * 100)} percent. Fit to window`);
    }
  }

  private async act(action: ImageAction): Promise<void> {
    if (!this.key) return;
    const result = await this.api.imageAction(this.key, action);
    if (!result.ok) showFailure('', result);
  }
}

function dataUrl(bytes: Uint8Array, mime: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the image'));
    reader.readAsDataURL(new Blob([bytes as BlobPart], { type: mime }));
  });
}
