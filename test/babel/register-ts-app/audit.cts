const entries: string[] = [];
exports.log = function log(entry: string): number {
  entries.push(entry);
  return entries.length;
};
