/** @param {string} s */
exports.upper = (s) => s.toUpperCase();
