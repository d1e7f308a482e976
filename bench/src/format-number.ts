import type { FigureUnit } from './figure.js'

/** A number with as many decimals as its size deserves: 412, 41.2, 4.12, 0.412. */
export function formatNumber(value: number, unit?: FigureUnit): string {
  if (!Number.isFinite(value)) return String(value)
  if (unit === '×') return `${value.toFixed(2)}×`
  if (unit === 'count') return String(Math.round(value))
  const size = Math.abs(value)
  if (size >= 100) return value.toFixed(0)
  if (size >= 10) return value.toFixed(1)
  if (size >= 1) return value.toFixed(2)
  return value.toFixed(3)
}
