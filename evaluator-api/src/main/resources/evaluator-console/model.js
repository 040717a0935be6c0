// Namespaces, names and what the signed-in user may do. The server decides every request (AccessPolicy); this
// mirrors its rules only to hide or disable controls that would be refused.

export const GLOBAL = Object.freeze({ global: true, key: '' });

/** A scoped namespace. Bucket names may contain dots, scope names may not. */
export function scoped(bucket, scope) {
  return Object.freeze({ global: false, bucket, scope, key: `${bucket}.${scope}` });
}

/** The namespace of a key: '' is global, 'bucket.scope' splits at the last dot; null when it is not one. */
export function namespaceOf(key) {
  const text = (key || '').trim();
  if (text === '' || text === 'global') return GLOBAL;
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) return null;
  return scoped(text.slice(0, dot), text.slice(dot + 1));
}

export function namespaceLabel(ns) {
  return ns.global ? 'global' : ns.key;
}

/** The namespace of a library as the API lists it (empty bucket and scope for global). */
export function libraryNamespace(library) {
  return library.bucket ? scoped(library.bucket, library.scope) : GLOBAL;
}

/**
 * A name part in statements the console composes, always back-quoted (back-quotes doubled, backslashes escaped), so any name reads as
 * itself, reserved words included. Names the server prints (qualifiedName, a 409's functions) are shown as given.
 */
export function backQuote(part) {
  return '`' + part.replace(/\\/g, '\\\\').replace(/`/g, '``') + '`';
}

/** The query_context naming a scope, or undefined for global. */
export function queryContext(ns) {
  return ns.global ? undefined : `default:${backQuote(ns.bucket)}.${backQuote(ns.scope)}`;
}

/** The signed-in user's roles, with the same rules as the server's Role.allows. */
export class Permissions {
  constructor(whoami) {
    this.user = whoami.id;
    this.roles = (whoami.roles || []).map((r) => ({ kind: r.role, bucket: r.bucket_name, scope: r.scope_name }));
  }

  has(kind) {
    return this.roles.some((r) => r.kind === kind);
  }

  covers(kind, ns) {
    return !ns.global && this.roles.some((r) => r.kind === kind
      && (r.bucket === '*' || r.bucket === ns.bucket) && (r.scope === '*' || r.scope === ns.scope));
  }

  get admin() {
    return this.has('admin');
  }

  canManage(ns) {
    return this.admin || (ns.global ? this.has('query_manage_global_external_functions')
      : this.covers('query_manage_external_functions', ns));
  }

  /** Managing functions does not grant calling them (as on Couchbase): only the execute roles and admin do. */
  canExecute(ns) {
    return this.admin || (ns.global ? this.has('query_execute_global_external_functions')
      : this.covers('query_execute_external_functions', ns));
  }

  /** Whether the user may manage some namespace (so creating a library makes sense at all). */
  get managesAny() {
    return this.admin || this.has('query_manage_global_external_functions')
      || this.has('query_manage_external_functions');
  }

  /** The concrete scopes named by the user's roles (wildcards name none). */
  namedScopes() {
    return this.roles.filter((r) => r.bucket && r.bucket !== '*' && r.scope && r.scope !== '*')
      .map((r) => scoped(r.bucket, r.scope));
  }
}
