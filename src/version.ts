/** The Redis version Kioku reports (INFO, HELLO): clients gate features on it. */
export const REDIS_VERSION = '7.0.15';
/** Kioku's own version. */
export const KIOKU_VERSION = '0.1.0';
