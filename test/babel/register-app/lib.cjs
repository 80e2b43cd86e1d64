exports.state = { n: 0 };
exports.bump = function (n) { exports.state.n += n; return exports.state.n; };
