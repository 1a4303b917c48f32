import { setUpServers } from "./globalSetup";

// One file per tier: jest runs each distinct globalSetup file once, so a shared file would only serve the first tier.
export default () => setUpServers("adversary");
