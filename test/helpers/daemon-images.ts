// The image modules, through the daemon package's `./images` export.
export * from '@vm-messenger/daemon/images';
import type { ImageLibrary as Library, IncomingTransfer as Transfer } from '@vm-messenger/daemon/images';
export type ImageLibrary = Library;
export type IncomingTransfer = Transfer;
