/** The app's identity on Windows. Must equal `appId` in electron-builder.yml: Windows attributes
 *  toasts (name, icon, Action Center group) and the taskbar entry by this AppUserModelID. */
export const APP_USER_MODEL_ID = 'com.vm-messenger.tray';
export const PRODUCT_NAME = 'VM Messenger';
