// Lists a library's top-level functions with acorn (loaded before this script, as the global `acorn`).
// The library's code is only ever an argument to acorn.parse: nothing of it runs.
// The script's value is a function (code) -> {functions, syntaxError, nestedTooDeeply} of plain data,
// which the runtime reads through the polyglot Value API; its property dynamicImport is (code) -> {line, column,
// message} or null.
(function (acorn) {
    'use strict';

    var WHITESPACE = /\s/;
    var POSITION_SUFFIX = / \(\d+:\d+\)$/;
    var LINE_BREAK = /\r\n?|[\n\u2028\u2029]/;

    function parse(code, comments) {
        return acorn.parse(code, {ecmaVersion: 'latest', sourceType: 'script', locations: true, onComment: comments});
    }

    // acorn appends " (line:column)" and quotes an invalid regular expression whole: keep neither.
    function describe(message) {
        var text = String(message).replace(POSITION_SUFFIX, '');
        var regex = /^Invalid regular expression: \/[\s\S]*\/: /;
        return regex.test(text) ? 'Invalid regular expression: ' + text.replace(regex, '') : text;
    }

    function functionOf(statement) {
        if (statement.type === 'FunctionDeclaration') {
            return {name: statement.id.name, node: statement, assigned: false};
        }
        if (statement.type === 'VariableDeclaration' && statement.declarations.length === 1) {
            var declarator = statement.declarations[0];
            var init = declarator.init;
            if (declarator.id.type === 'Identifier' && init
                && (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression')) {
                return {name: declarator.id.name, node: init, assigned: true};
            }
        }
        return null;
    }

    function parameters(code, node) {
        var names = [];
        var variadic = false;
        node.params.forEach(function (param) {
            var pattern = param;
            if (pattern.type === 'AssignmentPattern') {
                pattern = pattern.left;
            } else if (pattern.type === 'RestElement') {
                variadic = true;
                pattern = pattern.argument;
            }
            names.push(pattern.type === 'Identifier' ? pattern.name : code.slice(pattern.start, pattern.end));
        });
        return {names: names, variadic: variadic};
    }

    function clean(comment) {
        if (comment.type === 'Line') {
            return comment.value.replace(/^ /, '').replace(/\s+$/, '');
        }
        // "/** a\n * b\n */" has the value "* a\n * b\n ": drop the JSDoc star and each line's leading " * ".
        return comment.value.replace(/^\*/, '')
            .split(LINE_BREAK)
            .map(function (line) {
                return line.replace(/^\s*\* ?/, '').replace(/\s+$/, '');
            })
            .join('\n')
            .trim();
    }

    // Scans backwards, so a gap that is not blank costs only the few characters up to the code before it.
    function blank(code, from, to) {
        for (var i = to - 1; i >= from; i--) {
            if (!WHITESPACE.test(code[i])) {
                return false;
            }
        }
        return true;
    }

    // The comments right before `start`, with only whitespace (blank lines too) between them and it. A comment
    // with code before it on its own line is that code's trailing comment and ends the run.
    function docBefore(code, comments, next, start) {
        var run = [];
        var end = start;
        for (var i = next - 1; i >= 0; i--) {
            var comment = comments[i];
            if (!blank(code, comment.end, end) || !blank(code, comment.start - comment.loc.start.column, comment.start)) {
                break;
            }
            run.unshift(comment);
            end = comment.start;
        }
        if (run.length === 0) {
            return null;
        }
        var text = run.map(clean).join('\n').trim();
        return text === '' ? null : text;
    }

    // The first dynamic import() or import.meta in the code, as {line, column, message}, or null when there is none.
    // Code acorn cannot parse is refused too: what cannot be checked does not run. The walk keeps its own stack, so
    // deeply nested code cannot overflow it.
    function dynamicImport(code) {
        var program;
        try {
            program = acorn.parse(code, {ecmaVersion: 'latest', sourceType: 'script', locations: true});
        } catch (e) {
            var at = e.loc || {line: 1, column: 0};
            return {line: at.line, column: at.column + 1,
                message: 'the code cannot be checked for dynamic imports: ' + describe(e.message)};
        }
        var pending = [program];
        while (pending.length > 0) {
            var node = pending.pop();
            if (node.type === 'ImportExpression' || node.type === 'MetaProperty' && node.meta.name === 'import') {
                return {line: node.loc.start.line, column: node.loc.start.column + 1,
                    message: node.type === 'ImportExpression' ? 'dynamic import() is not allowed'
                        : 'import.meta is not allowed'};
            }
            for (var key in node) {
                var value = node[key];
                if (key === 'loc' || value === null || typeof value !== 'object') {
                    continue;
                }
                if (Array.isArray(value)) {
                    for (var i = value.length - 1; i >= 0; i--) {
                        if (value[i] !== null && typeof value[i] === 'object' && typeof value[i].type === 'string') {
                            pending.push(value[i]);
                        }
                    }
                } else if (typeof value.type === 'string') {
                    pending.push(value);
                }
            }
        }
        return null;
    }

    function functions(code) {
        var comments = [];
        var program;
        try {
            program = parse(code, comments);
        } catch (e) {
            if (e instanceof SyntaxError && e.loc) {
                return {
                    functions: null,
                    syntaxError: {message: describe(e.message), line: e.loc.line, column: e.loc.column + 1},
                    nestedTooDeeply: false
                };
            }
            if (e instanceof RangeError) {
                // acorn recurses per nesting level and overflowed the stack.
                return {functions: null, syntaxError: null, nestedTooDeeply: true};
            }
            throw e;
        }
        if (code.startsWith('#!') && comments.length > 0 && comments[0].start === 0) {
            comments.shift();
        }

        var found = [];
        var next = 0;
        program.body.forEach(function (statement) {
            while (next < comments.length && comments[next].end <= statement.start) {
                next++;
            }
            var fn = functionOf(statement);
            if (fn === null) {
                return;
            }
            var params = parameters(code, fn.node);
            found.push({
                name: fn.name,
                assigned: fn.assigned,
                parameters: params.names,
                variadic: params.variadic,
                line: statement.loc.start.line,
                doc: docBefore(code, comments, next, statement.start)
            });
        });

        // Of several with one name, keep the one that wins at run time: declarations are hoisted and `var`
        // assignments run after them, so the last assignment if any, else the last declaration.
        var winner = Object.create(null);
        found.forEach(function (fn, index) {
            var current = winner[fn.name];
            if (current === undefined || fn.assigned || !found[current].assigned) {
                winner[fn.name] = index;
            }
        });
        return {
            functions: found.filter(function (fn, index) {
                return winner[fn.name] === index;
            }),
            syntaxError: null,
            nestedTooDeeply: false
        };
    }

    functions.dynamicImport = dynamicImport;
    return functions;
})(acorn);
