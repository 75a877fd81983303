/** Version of the contract set; bump with any change that is not backward compatible. */
export const CONTRACTS_VERSION = '1.0.0';
