import test from 'ava';
import { encodeChunk } from '@vm-messenger/protocol';
import { wsFrame, WS_BINARY } from '@vm-messenger/protocol/ws-framer';
import { wsChunkFrameParts } from '@vm-messenger/daemon/internal/v2/ws-frame';

const wsFramed = (payload: Buffer): Buffer => Buffer.concat(wsFrame(payload, { fin: true, opcode: WS_BINARY, mask: false, readOnly: true, rsv1: false }));

// Payload lengths either side of each WebSocket length encoding (the frame also carries 4 bytes of
// transfer number): 7-bit, 16-bit and 64-bit lengths.
for (const length of [0, 1, 121, 122, 65_531, 65_532, 256 * 1024]) {
  test(`a chunk of ${length} bytes is framed exactly as ws frames it`, (t) => {
    const payload = Buffer.alloc(length, 0xab);
    const [head, body] = wsChunkFrameParts(0x01020304, payload);
    t.is(body, payload, 'the payload is not copied');
    t.deepEqual(Buffer.concat([head, body]), wsFramed(encodeChunk(0x01020304, payload)));
  });
}
