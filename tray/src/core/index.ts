export * from './bridge-api.js';
export { V2Client, ClientError, type V2ClientOptions, type ClientErrorCode, type CloseInfo, type DownloadTarget, type DownloadResult } from './v2-client.js';
