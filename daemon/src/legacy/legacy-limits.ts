import type { DaemonConfig } from '../config.js';
import { base64Length } from './strict-base64.js';

/** Room on an image line beside the base64: `IMAGE:`, the file name, the `|`. */
const LINE_SLACK_BYTES = 64 * 1024;

export interface LegacyLimits {
  /** Longest line accepted from a legacy client: the largest allowed image in base64, plus slack. */
  maxLineBytes: number;
  /** Unflushed output above which a client counts as not reading: one whole image line may be
   *  in flight, plus the ordinary send-queue bound. */
  maxUnflushedBytes: number;
  pingIntervalMs: number;
  /** Longest line the original client's reader keeps (`legacy.clientMaxLineBytes`). */
  clientMaxLineBytes: number;
  /** Pixel limit for decoding an image to make a reduced copy. */
  maxPixels: number;
  /** Unknown or invalid lines tolerated per window before the peer is disconnected. */
  maxBadLines: number;
  badLineWindowMs: number;
}

export function legacyLimits(config: DaemonConfig): LegacyLimits {
  const maxLineBytes = config.legacy.maxLineBytes ?? base64Length(config.limits.maxImageBytes) + LINE_SLACK_BYTES;
  return {
    maxLineBytes,
    maxUnflushedBytes: Math.max(maxLineBytes, base64Length(config.limits.maxImageBytes) + LINE_SLACK_BYTES) + config.limits.sendQueueBytes,
    pingIntervalMs: config.legacy.pingIntervalMs,
    clientMaxLineBytes: config.legacy.clientMaxLineBytes,
    maxPixels: config.limits.maxImagePixels,
    maxBadLines: 20,
    badLineWindowMs: 10_000,
  };
}
