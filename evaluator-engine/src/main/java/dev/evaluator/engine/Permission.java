package dev.evaluator.engine;

import dev.evaluator.store.Namespace;

/**
 * What a request needs. the HTTP adapter's route table maps each route to one, the engine's {@link NamespaceAccess} asks for the others; {@link Role#allows} decides.
 */
public sealed interface Permission {
    /** Anyone, without credentials: health probes and the admin console's static assets. */
    Permission PUBLIC = new Public();
    /** Any authenticated user. */
    Permission AUTHENTICATED = new Authenticated();
    /** Administrators only. */
    Permission ADMIN = new Admin();
    /** Read the server's metrics. */
    Permission MONITOR = new Monitor();

    /**
     * A role that would grant this permission, for the 403 message. Never says whether the target exists.
     *
     * @return role text, e.g. {@code query_manage_external_functions[travel-sample:inventory]}
     */
    String grantingRole();

    /** Anyone: the request is not authenticated at all. */
    record Public() implements Permission {
        @Override
        public String grantingRole() {
            return "no role";
        }
    }

    /** Any authenticated user. */
    record Authenticated() implements Permission {
        @Override
        public String grantingRole() {
            return "any role";
        }
    }

    /** Administrators only (user management). */
    record Admin() implements Permission {
        @Override
        public String grantingRole() {
            return "admin";
        }
    }

    /** Read the server's metrics: administrators and read-only administrators. */
    record Monitor() implements Permission {
        @Override
        public String grantingRole() {
            return "ro_admin";
        }
    }

    /** Read the libraries of a namespace. */
    record ReadLibrary(Namespace namespace) implements Permission {
        @Override
        public String grantingRole() {
            return manageRole(namespace) + " or ro_admin";
        }
    }

    /** Create, replace or delete the libraries of a namespace. */
    record ManageLibrary(Namespace namespace) implements Permission {
        @Override
        public String grantingRole() {
            return manageRole(namespace);
        }
    }

    /** Create or drop the SQL++ functions of a namespace. */
    record ManageFunction(Namespace namespace) implements Permission {
        @Override
        public String grantingRole() {
            return manageRole(namespace);
        }
    }

    /** Execute the functions of a namespace: SQL++ functions, or a library's functions directly. */
    record ExecuteFunction(Namespace namespace) implements Permission {
        @Override
        public String grantingRole() {
            return switch (namespace) {
                case Namespace.Global g -> Role.Kind.EXECUTE_GLOBAL_FUNCTIONS.text();
                case Namespace.Scoped s -> Role.Kind.EXECUTE_SCOPE_FUNCTIONS.text() + "[" + s.bucket() + ":"
                        + s.scope() + "]";
            };
        }
    }

    /**
     * See what a library of a namespace offers to call: its functions' names, parameters and doc comments, not its
     * code. Whoever may read the library or execute its functions.
     */
    record DescribeFunctions(Namespace namespace) implements Permission {
        @Override
        public String grantingRole() {
            return new ExecuteFunction(namespace).grantingRole() + " or " + manageRole(namespace) + " or ro_admin";
        }
    }

    /** See the SQL++ functions of a namespace (in system:functions). */
    record ReadFunction(Namespace namespace) implements Permission {
        @Override
        public String grantingRole() {
            return manageRole(namespace) + " or ro_admin";
        }
    }

    private static String manageRole(Namespace namespace) {
        return switch (namespace) {
            case Namespace.Global g -> Role.Kind.MANAGE_GLOBAL_FUNCTIONS.text();
            case Namespace.Scoped s -> Role.Kind.MANAGE_SCOPE_FUNCTIONS.text() + "[" + s.bucket() + ":" + s.scope() + "]";
        };
    }
}
