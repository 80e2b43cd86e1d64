export let count = 0;
export function inc() { return ++count; }
