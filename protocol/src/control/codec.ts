import { fail, ok, type Result } from '../errors.js';
import { ControlReply } from './replies.js';
import { ControlRequest } from './requests.js';

function parseLine<T>(line: string, parse: (json: unknown) => { success: true; data: T } | { success: false; error: { issues: { message: string; path: PropertyKey[] }[] } }): Result<T> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return fail('malformed_json', 'control line is not valid JSON');
  }
  const parsed = parse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
    return fail('bad_request', `${issue?.message ?? 'invalid request'}${where}`);
  }
  return ok(parsed.data);
}

export const parseControlRequest = (line: string): Result<ControlRequest> => parseLine(line, (j) => ControlRequest.safeParse(j));
export const parseControlReply = (line: string): Result<ControlReply> => parseLine(line, (j) => ControlReply.safeParse(j));

/** Reads the id of a request that failed validation, so its error reply can still be matched. */
export function peekRequestId(line: string): number | null {
  try {
    const json: unknown = JSON.parse(line);
    if (json && typeof json === 'object' && 'id' in json && Number.isInteger(json.id)) return json.id as number;
  } catch {
    /* no id to be had */
  }
  return null;
}
