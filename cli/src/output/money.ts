/** Integer cents as euros for people, e.g. `€1250.00` (amounts are kept in integer cents everywhere). */
export const euros = (cents: number): string => `€${(cents / 100).toFixed(2)}`;
