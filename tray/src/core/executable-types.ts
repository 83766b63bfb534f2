/** File types Windows runs, or hands to an interpreter, when they are opened: a received one is
 *  never opened from the chat, only shown in its folder with a warning. The list follows the types
 *  Windows' attachment manager and mail clients treat as high risk. The extension decides, not the
 *  MIME type: it is the extension Windows looks at when the user double-clicks. */
const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'exe', 'com', 'scr', 'pif', 'cpl', 'msi', 'msp', 'mst', 'msc', 'dll', 'sys', 'drv', 'ocx',
  'bat', 'cmd', 'ps1', 'psm1', 'psd1', 'ps1xml', 'psc1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'wsc', 'hta',
  'lnk', 'url', 'scf', 'reg', 'inf', 'chm', 'hlp', 'jar', 'appx', 'appxbundle', 'msix', 'msixbundle', 'appref-ms',
  'application', 'gadget', 'settingcontent-ms', 'library-ms', 'search-ms', 'diagcab', 'xll', 'iso', 'img', 'vhd', 'vhdx',
  'py', 'pyw', 'pl', 'rb', 'sh', 'mjs', 'cjs',
]);

/** The extension Windows would act on: the last one, lower case, without trailing dots or spaces
 *  (Windows drops them, so `run.exe.` is run.exe). */
export function windowsExtension(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[.\s]+$/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export const isExecutableName = (name: string): boolean => EXECUTABLE_EXTENSIONS.has(windowsExtension(name));
