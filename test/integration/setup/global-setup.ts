import { setUpLiveNetwork } from './live-network';

export default setUpLiveNetwork;
