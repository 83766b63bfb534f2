import { execFile, type ExecFileOptions } from 'node:child_process';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end and hands back its exit code and output, whatever the code. */
export function runProcess(file: string, args: readonly string[], options: ExecFileOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...options, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (err as NodeJS.ErrnoException & { code?: unknown }).code : 0;
      if (typeof code !== 'number') return reject(err ?? new Error(`${file} did not exit`));
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
