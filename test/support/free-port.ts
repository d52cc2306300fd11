/** The tests' free loopback port: the bench's own (bench/free-port.ts), so the bench imports no test code. */
export { freePort } from '../../bench/free-port.ts';
