/** Typed access to a level of read Parameters (see parameters-reader.ts): allowed names, cardinality, value types. */
import type { Reference } from 'fhir/r4';
import { FhirError } from './fhir-error';
import { type ParamNode, readParameters } from './parameters-reader';

export class ParamList {
  /** @param where e.g. `$verify` or `$verify target[0]`, for messages */
  constructor(readonly nodes: readonly ParamNode[], readonly operation: string, readonly where = operation) {}

  /** Reads a Parameters body; `allowed` (when given) names every parameter it may contain. */
  static of(body: unknown, operation: string, allowed?: readonly string[]): ParamList {
    const l = new ParamList(readParameters(body, operation), operation);
    return allowed ? l.only(allowed) : l;
  }

  /** For operations whose parameters are optional: no body is an empty list, a body must be valid Parameters. */
  static optional(body: unknown, operation: string, allowed: readonly string[]): ParamList {
    return body === undefined ? new ParamList([], operation) : ParamList.of(body, operation, allowed);
  }

  /** The parts of `node` as a list of their own. */
  static parts(node: ParamNode, operation: string, where: string): ParamList {
    return new ParamList(node.part, operation, where);
  }

  /** Unknown names are a 400: a typo must not turn into a silent default. */
  only(allowed: readonly string[]): this {
    for (const n of this.nodes) {
      if (!allowed.includes(n.name)) {
        throw this.bad(`unknown parameter '${n.name.slice(0, 40)}' in ${this.where} (expected ${allowed.length ? allowed.join(', ') : 'none'})`, n);
      }
    }
    return this;
  }

  all(name: string): ParamNode[] {
    return this.nodes.filter((n) => n.name === name);
  }

  /** The single parameter `name`, if given; more than one is a 400. */
  one(name: string, required = false): ParamNode | undefined {
    const found = this.all(name);
    if (found.length > 1) throw this.bad(`parameter '${name}' is given more than once in ${this.where}`, found[1]);
    if (required && !found.length) throw new FhirError(400, 'required', `${this.operation}: ${this.where} needs the parameter '${name}'`, [name]);
    return found[0];
  }

  /** A primitive value of one of `types` (`Code`, `String`, ...). */
  primitive(name: string, types: readonly string[], required = false): string | number | boolean | undefined {
    const n = this.one(name, required);
    if (!n) return undefined;
    if (!n.value || !types.includes(n.value.type)) throw this.bad(`parameter '${name}' must be ${types.map((t) => `value${t}`).join(' or ')}${n.value ? `, not value${n.value.type}` : ''}`, n);
    return n.value.value as string | number | boolean;
  }

  code(name: string, required = false): string | undefined {
    return this.primitive(name, ['Code'], required) as string | undefined;
  }

  string(name: string, required = false): string | undefined {
    return this.primitive(name, ['String'], required) as string | undefined;
  }

  uri(name: string, required = false): string | undefined {
    return this.primitive(name, ['Uri', 'Canonical', 'Url'], required) as string | undefined;
  }

  boolean(name: string, required = false): boolean | undefined {
    return this.primitive(name, ['Boolean'], required) as boolean | undefined;
  }

  reference(name: string, required = false): Reference | undefined {
    const n = this.one(name, required);
    if (!n) return undefined;
    if (n.value?.type !== 'Reference') throw this.bad(`parameter '${name}' must be a valueReference`, n);
    return n.value.value as Reference;
  }

  resource(name: string, required = false): ParamNode['resource'] {
    const n = this.one(name, required);
    if (!n) return undefined;
    if (!n.resource) throw this.bad(`parameter '${name}' must carry a resource`, n);
    return n.resource;
  }

  private bad(msg: string, n: ParamNode): FhirError {
    return new FhirError(400, 'invalid', `${this.operation}: ${msg}`, [n.name, n.expression]);
  }
}
