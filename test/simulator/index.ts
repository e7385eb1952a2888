/** The partition-and-merge simulator, for testers: `import { simulate } from 'osiris-sync/simulator'`. */
export { Rng } from './rng.ts';
export { type LinkFaults, NO_FAULTS, SimNetwork } from './sim-network.ts';
export { ALL_FAULTS, type Fault, type SimOptions, type SimResult, simulate } from './simulate.ts';
export { SimWorld } from '../helpers/sim-world.ts';
