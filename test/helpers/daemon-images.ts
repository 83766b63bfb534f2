// The image modules, through the daemon package's `./images` export.
export * from '@vm-messenger/daemon/images';
