import os from 'node:os'

/** The machine a run happened on, saved with its figures. */
export interface MachineInfo {
  readonly cores: number
  readonly cpuModel: string
  readonly memoryBytes: number
  readonly freeMemoryBytes: number
  readonly loadAverage: readonly number[]
  readonly node: string
  readonly platform: string
  readonly arch: string
}

/** Describes this machine; the load average shows whether other work competed with the run. */
export function machineInfo(): MachineInfo {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
  }
}
