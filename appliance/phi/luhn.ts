/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A plausible payment card: an issuer prefix with a length it issues, and a valid Luhn digit.
 * The prefix test keeps 13-digit epoch-millisecond timestamps (which start with 1) out.
 */
export function isCardNumber(raw: string): boolean {
  const d = raw.replace(/[ -]/g, '');
  if (!/^\d{13,19}$/.test(d)) return false;
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  const issuer =
    (d[0] === '4' && (n === 13 || n === 16 || n === 19)) || // Visa
    (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) || // Mastercard
    ((p2 === 34 || p2 === 37) && n === 15) || // Amex
    ((d.startsWith('6011') || d.startsWith('65') || (p4 >= 6440 && p4 <= 6499)) && n >= 16) || // Discover
    ((p2 === 36 || p2 === 38 || (p4 >= 3000 && p4 <= 3059)) && n === 14) || // Diners
    (p2 === 35 && n >= 16); // JCB
  return issuer && luhnValid(d);
}
