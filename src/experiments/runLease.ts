import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Seconds after its last heartbeat at which a lease counts as abandoned, unless `SGD_FACTORS_LEASE_STALE_SECONDS`
 * says otherwise. Minutes, not seconds: NFS clients cache file attributes (`acregmax` is 60 s by default),
 * so another machine may see a heartbeat a minute late; a holder that stops (kill -9, a lost node) delays
 * its run by at most this long.
 */
export const DEFAULT_LEASE_STALE_SECONDS = 600;

/** Who holds a lease: what `runs/<id>/lease` contains. */
export interface LeaseHolder {
  /** A readable name: the Slurm job, the Kubernetes pod, or host and pid. */
  owner: string;
  /** Host name of the holder. */
  host: string;
  /** Process id of the holder on `host`. */
  pid: number;
  /** `SLURM_JOB_ID` of the holder (unchanged when Slurm requeues the job), if it runs under Slurm. */
  slurmJobId: string | null;
  /** Random token of this acquisition, so a holder never releases a lease that was taken over. */
  token: string;
  /** ISO time of acquisition. */
  acquiredAt: string;
}

/** A lease this process holds. */
export interface RunLease {
  /** `runs/<id>/lease`. */
  path: string;
  /** What the file says. */
  holder: LeaseHolder;
  /** Refreshes the heartbeat (the file's mtime); false when the lease was taken over (it is then lost). */
  refresh(): boolean;
  /** Removes the lease if this process still holds it. */
  release(): void;
}

/** The state of a run's lease as seen by someone who does not hold it. */
export interface LeaseState {
  /** The holder; null while the file is being written (then never stale before `staleSeconds`). */
  holder: LeaseHolder | null;
  /** Seconds since the last heartbeat, by the file system's clock. */
  ageSeconds: number;
  /** Why the lease may be taken over (undefined while it is live). */
  staleBecause?: string;
}

/** The lease file of run directory `runDir`. */
export function leasePath(runDir: string): string {
  return join(runDir, 'lease');
}

/** The stale time in force: `SGD_FACTORS_LEASE_STALE_SECONDS` or {@link DEFAULT_LEASE_STALE_SECONDS}. */
export function leaseStaleSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['SGD_FACTORS_LEASE_STALE_SECONDS'];
  if (text === undefined || text === '') return DEFAULT_LEASE_STALE_SECONDS;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(
      `SGD_FACTORS_LEASE_STALE_SECONDS must be a positive number of seconds, got '${text}'`,
    );
  return value;
}

/** This process as a lease holder: Slurm job, Kubernetes pod, or host and pid. */
export function currentHolder(
  env: NodeJS.ProcessEnv = process.env,
): Omit<LeaseHolder, 'token' | 'acquiredAt'> {
  const host = hostname();
  const slurmJobId = env['SLURM_JOB_ID'] || null;
  const where = `${host} pid ${process.pid}`;
  let owner = where;
  if (slurmJobId) {
    const array = env['SLURM_ARRAY_JOB_ID']
      ? ` (array ${env['SLURM_ARRAY_JOB_ID']}_${env['SLURM_ARRAY_TASK_ID']})`
      : '';
    owner = `slurm job ${slurmJobId}${array} on ${where}`;
  } else if (env['KUBERNETES_SERVICE_HOST'] && env['HOSTNAME']) owner = `pod ${env['HOSTNAME']}`;
  return { owner, host, pid: process.pid, slurmJobId };
}

/** The file system's idea of now: the mtime of a file just created next to the lease. */
function fileSystemNow(runDir: string): number {
  const probe = join(runDir, `.clock.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(probe, 'wx');
  try {
    return fstatSync(fd).mtimeMs;
  } finally {
    closeSync(fd);
    rmSync(probe, { force: true });
  }
}

function readHolder(path: string): LeaseHolder | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as LeaseHolder;
    return typeof value?.token === 'string' ? value : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads a run's lease as an outsider.
 *
 * @param runDir - the run directory.
 * @param staleSeconds - heartbeat age after which the lease is abandoned.
 * @param me - the would-be holder (a requeued Slurm job may take back its own job id's lease).
 * @returns undefined when there is no lease.
 */
export function inspectRunLease(
  runDir: string,
  staleSeconds: number,
  me: Omit<LeaseHolder, 'token' | 'acquiredAt'> = currentHolder(),
): LeaseState | undefined {
  const path = leasePath(runDir);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  const holder = readHolder(path);
  const ageSeconds = Math.max(0, (fileSystemNow(runDir) - mtimeMs) / 1000);
  let staleBecause: string | undefined;
  if (ageSeconds > staleSeconds) staleBecause = `no heartbeat for ${Math.round(ageSeconds)} s`;
  else if (holder && holder.host === me.host && holder.pid !== process.pid && !processAlive(holder.pid))
    staleBecause = `process ${holder.pid} on ${holder.host} is gone`;
  else if (holder?.slurmJobId && holder.slurmJobId === me.slurmJobId && holder.pid !== process.pid)
    staleBecause = `Slurm job ${holder.slurmJobId} was requeued`;
  return { holder, ageSeconds, ...(staleBecause ? { staleBecause } : {}) };
}

function createLease(path: string, holder: LeaseHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function heldLease(path: string, holder: LeaseHolder): RunLease {
  const stillMine = () => readHolder(path)?.token === holder.token;
  return {
    path,
    holder,
    refresh() {
      if (!stillMine()) return false;
      const now = new Date();
      utimesSync(path, now, now);
      return true;
    },
    release() {
      if (stillMine()) rmSync(path, { force: true });
    },
  };
}

/**
 * Takes a stale lease over under a second, short-lived lock (`lease.takeover`, O_EXCL), so that of two
 * processes finding the same stale lease only one replaces it. A takeover lock older than the stale time
 * (its holder died in the few milliseconds it is held) is removed.
 */
function takeOver(runDir: string, staleSeconds: number, state: LeaseState, holder: LeaseHolder): boolean {
  const lock = join(runDir, 'lease.takeover');
  if (!createLease(lock, holder)) {
    const since = statSync(lock, { throwIfNoEntry: false });
    if (since && (fileSystemNow(runDir) - since.mtimeMs) / 1000 > staleSeconds) rmSync(lock, { force: true });
    return false;
  }
  try {
    const again = inspectRunLease(runDir, staleSeconds, holder);
    if (again && (!again.staleBecause || again.holder?.token !== state.holder?.token)) return false;
    rmSync(leasePath(runDir), { force: true });
    return createLease(leasePath(runDir), holder);
  } finally {
    rmSync(lock, { force: true });
  }
}

/** What {@link acquireRunLease} got: the lease, or who holds it. */
export type LeaseAttempt = { lease: RunLease } | { heldBy: LeaseState };

/**
 * Tries to take the lease of a run, so that no two workers (threads of two `sweep` processes, Slurm array
 * tasks, Kubernetes pods) ever train the same run at once.
 *
 * @remarks
 * The lease is `runs/<id>/lease`, created with O_EXCL and holding its {@link LeaseHolder}. Its holder
 * refreshes its mtime (the heartbeat, {@link RunLease.refresh}) well within the stale time. Another worker
 * takes it over when the heartbeat is older than `staleSeconds` by the file system's clock (the mtime of a
 * file it creates, so that machines with skewed clocks agree), at once when the holder is a process of this
 * host that no longer exists (kill -9), and at once when the holder is this same Slurm job (`SLURM_JOB_ID`
 * survives a requeue, so a requeued task takes its own lease back).
 *
 * @param runDir - the run directory (created by the caller).
 * @param staleSeconds - default {@link leaseStaleSeconds}.
 */
export function acquireRunLease(runDir: string, staleSeconds = leaseStaleSeconds()): LeaseAttempt {
  const holder: LeaseHolder = {
    ...currentHolder(),
    token: randomBytes(8).toString('hex'),
    acquiredAt: new Date().toISOString(),
  };
  const path = leasePath(runDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLease(path, holder)) return { lease: heldLease(path, holder) };
    const state = inspectRunLease(runDir, staleSeconds, holder);
    if (!state) continue; // released just now: try again
    if (!state.staleBecause) return { heldBy: state };
    if (takeOver(runDir, staleSeconds, state, holder)) return { lease: heldLease(path, holder) };
  }
  const state = inspectRunLease(runDir, staleSeconds, holder);
  return { heldBy: state ?? { holder: null, ageSeconds: 0 } };
}

/**
 * Refreshes held leases every `staleSeconds / 10` (at most every minute) until stopped; the timer does not
 * keep the process alive.
 *
 * @param leases - gives the leases to refresh at each beat.
 * @param onLost - called with a lease that was taken over (its run is then another worker's).
 * @returns a function that stops the heartbeat.
 */
export function startHeartbeat(
  leases: () => Iterable<RunLease>,
  staleSeconds: number,
  onLost: (lease: RunLease) => void = () => {},
): () => void {
  const timer = setInterval(
    () => {
      for (const lease of leases()) {
        try {
          if (!lease.refresh()) onLost(lease);
        } catch {
          // a transient file-system error: the next beat tries again, well within the stale time
        }
      }
    },
    Math.min(60, staleSeconds / 10) * 1000,
  );
  timer.unref();
  return () => clearInterval(timer);
}
