/**
 * Where the test bed keeps its state, and the Slurm configuration files it writes there. Every daemon
 * is on 127.0.0.1 and every path is under one folder, so several beds can run on one machine.
 * The settings and why they matter: docs/slurm-test-bed.md and shared/design/real-slurm.md.
 */
import { join } from 'node:path'
import { z } from 'zod'

export const CLUSTER_NAME = 'torcedge'
export const PARTITION = 'debug'
/** The account Torc's Slurm tutorial submits with. */
export const ACCOUNT = 'my_account'
/** One node, named for loopback so nothing depends on the machine's hostname. */
export const NODE = 'localhost'

export function layout(dir: string) {
  return {
    dir,
    etc: join(dir, 'etc'),
    slurmConf: join(dir, 'etc', 'slurm.conf'),
    cgroupConf: join(dir, 'etc', 'cgroup.conf'),
    slurmdbdConf: join(dir, 'etc', 'slurmdbd.conf'),
    state: join(dir, 'state.json'),
    lock: join(dir, 'up.lock'),
    log: join(dir, 'log'),
    run: join(dir, 'run'),
    munge: join(dir, 'munge'),
    mungeKey: join(dir, 'munge', 'munge.key'),
    // munged wants the socket's folder open to all, the key's closed to all.
    mungeSocket: join(dir, 'run', 'munge.socket'),
    mysqlData: join(dir, 'mysql', 'data'),
    mysqlSocket: join(dir, 'mysql', 'mysqld.sock'),
    ctldSpool: join(dir, 'spool', 'ctld'),
    slurmdSpool: join(dir, 'spool', 'slurmd'),
    tmp: join(dir, 'tmp'),
  }
}
export type Layout = ReturnType<typeof layout>

export const Ports = z.object({
  slurmctld: z.number().int().positive(),
  slurmd: z.number().int().positive(),
  slurmdbd: z.number().int().positive(),
  mariadb: z.number().int().positive(),
})
export type Ports = z.infer<typeof Ports>

/** What `slurmd -C` reports of this machine; memory may be capped below it. */
export const NodeHardware = z.object({
  cpus: z.number().int().positive(),
  boards: z.number().int().positive(),
  socketsPerBoard: z.number().int().positive(),
  coresPerSocket: z.number().int().positive(),
  threadsPerCore: z.number().int().positive(),
  memoryMb: z.number().int().positive(),
})
export type NodeHardware = z.infer<typeof NodeHardware>

export function parseSlurmdC(text: string): NodeHardware {
  const field = (key: string) => Number(new RegExp(`\\b${key}=(\\d+)`).exec(text)?.[1])
  return NodeHardware.parse({
    cpus: field('CPUs'),
    boards: field('Boards'),
    socketsPerBoard: field('SocketsPerBoard'),
    coresPerSocket: field('CoresPerSocket'),
    threadsPerCore: field('ThreadsPerCore'),
    memoryMb: field('RealMemory'),
  })
}

export interface ConfigInput {
  paths: Layout
  ports: Ports
  node: NodeHardware
  /** Job IDs start here: Slurm's cgroup paths (…/slurm/uid_U/job_N) are per machine, not per cluster. */
  firstJobId: number
  dbPassword: string
  user: string
}

export function slurmConf({ paths, ports, node, firstJobId, user }: ConfigInput): string {
  const log = (name: string) => join(paths.log, `${name}.log`)
  return `# Written by scripts/slurm (torc-edge test bed); rewritten on each start.
ClusterName=${CLUSTER_NAME}
SlurmctldHost=${NODE}(127.0.0.1)
SlurmctldPort=${ports.slurmctld}
SlurmdPort=${ports.slurmd}
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=${user}
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=${paths.mungeSocket}
CredType=cred/munge
StateSaveLocation=${paths.ctldSpool}
SlurmdSpoolDir=${paths.slurmdSpool}
TmpFS=${paths.tmp}
SlurmctldPidFile=${join(paths.run, 'slurmctld.pid')}
SlurmdPidFile=${join(paths.run, 'slurmd.pid')}
SlurmctldLogFile=${log('slurmctld')}
SlurmdLogFile=${log('slurmd')}
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
FirstJobId=${firstJobId}
# Memory and time enforcement through cgroups (v1 or v2): OUT_OF_MEMORY on overuse, TIMEOUT at the limit.
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
JobAcctGatherType=jobacct_gather/cgroup
JobAcctGatherFrequency=task=1
KillWait=5
OverTimeLimit=0
MinJobAge=300
InactiveLimit=0
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
# Accounting (sacct) needs slurmdbd; clients take the munge socket for it from AccountingStoragePass.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=${ports.slurmdbd}
AccountingStoragePass=${paths.mungeSocket}
AccountingStorageEnforce=associations
JobCompType=jobcomp/none
NodeName=${NODE} NodeAddr=127.0.0.1 NodeHostname=${NODE} CPUs=${node.cpus} Boards=${node.boards} SocketsPerBoard=${node.socketsPerBoard} CoresPerSocket=${node.coresPerSocket} ThreadsPerCore=${node.threadsPerCore} RealMemory=${node.memoryMb} State=UNKNOWN
PartitionName=${PARTITION} Nodes=${NODE} Default=YES MaxTime=04:00:00 State=UP
`
}

export function cgroupConf(): string {
  return `CgroupPlugin=autodetect
ConstrainRAMSpace=yes
ConstrainCores=yes
`
}

export function slurmdbdConf({ paths, ports, dbPassword, user }: ConfigInput): string {
  return `AuthType=auth/munge
AuthInfo=socket=${paths.mungeSocket}
DbdHost=${NODE}
DbdAddr=127.0.0.1
DbdPort=${ports.slurmdbd}
SlurmUser=${user}
LogFile=${join(paths.log, 'slurmdbd.log')}
PidFile=${join(paths.run, 'slurmdbd.pid')}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=${ports.mariadb}
StorageUser=slurm
StoragePass=${dbPassword}
StorageLoc=slurm_acct_db
`
}
