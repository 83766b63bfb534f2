import type sharpModule from 'sharp';

export type Sharp = typeof sharpModule;

let loading: Promise<Sharp> | undefined;

/** sharp, loaded at the first image rather than at start: libvips and its codecs cost about 15 MB
 *  of resident memory, which an idle daemon (most of its life) never needs. libvips' operation
 *  cache is switched off as it loads: it keeps recent decodes alive for reuse, which only raises
 *  the daemon's memory high-water mark, since every image is decoded once. */
export function loadSharp(): Promise<Sharp> {
  return (loading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    return sharp;
  }));
}
