import { petitionWorkload } from './petition-workload';
import { allocationWorkload, debtWorkload, didWorkload, landWorkload, putWorkload, type Workload } from './workloads';

/** Every workload, by name, in the order a full run measures them. */
export const WORKLOADS: Readonly<Record<string, Workload>> = {
  put: putWorkload,
  did: didWorkload,
  land: landWorkload,
  allocation: allocationWorkload,
  petition: petitionWorkload,
  debt: debtWorkload,
};
