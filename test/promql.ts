/** PromQL checked with Prometheus' own grammar (@prometheus-io/lezer-promql): syntax errors and the metric names an expression reads. */
import { parser } from '@prometheus-io/lezer-promql';

export interface ParsedPromql {
  /** The text of every node the parser could not place, empty when the expression parses. */
  readonly errors: readonly string[];
  /** Metric names of every vector selector. */
  readonly metrics: readonly string[];
}

export function parsePromql(expr: string): ParsedPromql {
  const errors: string[] = [];
  const metrics = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.type.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) metrics.add(expr.slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics: [...metrics].sort() };
}
