const strings = require("./strings");

/**
 * @param {number} a
 * @param {number} [b]
 * @returns {number}
 */
function add(a, b) {
  return a + (b || 0);
}

exports.mul = function (a, b) {
  return a * b;
};

module.exports = { add, strings, mul: exports.mul, VERSION: "1.0" };
