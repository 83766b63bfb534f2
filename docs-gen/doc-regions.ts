import { configReference, daemonOptionsReference, exitCodesReference } from './config-reference.js';
import {
  clientFramesReference,
  controlReference,
  errorCodesReference,
  serverFramesReference,
  sharedTypesReference,
} from './protocol-reference.js';

/** Which generated text goes where. A file is named relative to the repository root. */
export interface DocRegion {
  file: string;
  region: string;
  render: () => string;
}

export const DOC_REGIONS: readonly DocRegion[] = [
  { file: 'docs/OPERATING.md', region: 'daemon-options', render: daemonOptionsReference },
  { file: 'docs/OPERATING.md', region: 'config-keys', render: configReference },
  { file: 'docs/OPERATING.md', region: 'exit-codes', render: exitCodesReference },
  { file: 'docs/PROTOCOL.md', region: 'wire-types', render: sharedTypesReference },
  { file: 'docs/PROTOCOL.md', region: 'client-frames', render: clientFramesReference },
  { file: 'docs/PROTOCOL.md', region: 'server-frames', render: serverFramesReference },
  { file: 'docs/PROTOCOL.md', region: 'error-codes', render: errorCodesReference },
  { file: 'docs/PROTOCOL.md', region: 'control-methods', render: controlReference },
];
