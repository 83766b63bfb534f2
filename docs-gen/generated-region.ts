/** A generated part of a hand-written document sits between two HTML comments, so the prose around
 *  it stays editable and the generator only ever replaces what it owns. */

export const regionStart = (name: string): string => `<!-- generated:${name} start (edit the schema and run npm run docs:gen) -->`;
export const regionEnd = (name: string): string => `<!-- generated:${name} end -->`;

export class RegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegionError';
  }
}

function bounds(text: string, name: string, file: string): { from: number; to: number } {
  const start = regionStart(name);
  const end = regionEnd(name);
  const at = text.indexOf(start);
  const until = text.indexOf(end);
  if (at < 0 || until < 0 || until < at) {
    throw new RegionError(`${file} has no generated region "${name}": add the lines\n${start}\n${end}\nwhere it belongs`);
  }
  if (text.indexOf(start, at + 1) >= 0) throw new RegionError(`${file} has the region "${name}" twice`);
  return { from: at + start.length, to: until };
}

/** The text between the markers, without the newlines that frame it. */
export function readRegion(text: string, name: string, file: string): string {
  const { from, to } = bounds(text, name, file);
  return text.slice(from, to).replace(/^\n/, '').replace(/\n$/, '');
}

export function replaceRegion(text: string, name: string, content: string, file: string): string {
  const { from, to } = bounds(text, name, file);
  return `${text.slice(0, from)}\n${content}\n${text.slice(to)}`;
}
