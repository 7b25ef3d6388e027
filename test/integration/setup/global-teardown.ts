import { tearDownLiveNetwork } from './live-network';

export default tearDownLiveNetwork;
