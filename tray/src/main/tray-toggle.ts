/** What a click on the tray icon does to the chat window. On Windows the click first takes focus
 *  away from the window (it blurs), so by the time the click arrives `isFocused()` is false and a
 *  focus test would show it again instead of hiding it. Like other tray apps, a blur just before
 *  the click counts as "it was focused". */

/** A blur this close before the click was caused by the click. */
export const BLUR_CLICK_WINDOW_MS = 300;

export interface WindowFacts {
  visible: boolean;
  focused: boolean;
  /** When the window last lost focus (ms), or undefined if never. */
  lastBlurAt: number | undefined;
}

export function trayClickAction(win: WindowFacts, now: number): 'show' | 'hide' {
  if (!win.visible) return 'show';
  if (win.focused) return 'hide';
  const blurredByThisClick = win.lastBlurAt !== undefined && now - win.lastBlurAt <= BLUR_CLICK_WINDOW_MS;
  // Visible behind other windows: bring it forward rather than hide it.
  return blurredByThisClick ? 'hide' : 'show';
}
