/** A byte count as people read size limits: `52.4 MB` (MiB, one decimal). */
export const megabytes = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;
