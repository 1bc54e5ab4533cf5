/** The Torc release torc-edge is built and tested against: the one place it is recorded. */
export const TORC_VERSION = '1.0.0'
