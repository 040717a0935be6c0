// Runs in every context that runs library code, before the library. Its value is a function that takes the console
// sink (a host function (level, message) where a null message counts a dropped line) and returns the runtime's
// entry points. The context options already deny eval, the Function constructors, host access, load and print;
// this only removes what no option removes, installs the console, and serializes arguments and results.
// Everything the entry points use is captured here, before the library runs, so a library that replaces JSON,
// Reflect or String changes its own behaviour but not how the runtime reads its results.
(function (sink) {
    'use strict';

    var global = globalThis;
    var parse = JSON.parse;
    var stringify = JSON.stringify;
    var isArray = Array.isArray;
    var apply = Reflect.apply;
    var getOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
    var hasOwnProperty = Object.prototype.hasOwnProperty;
    var defineProperty = Object.defineProperty;
    var toNumber = Number;
    var toText = String;
    var symbolText = Symbol.prototype.toString;
    var dateText = Date.prototype.toISOString;
    var NativeError = Error;
    var NativeTypeError = TypeError;
    var NativeRangeError = RangeError;
    var NativeDate = Date;
    var NativeSet = Set;
    var setHas = Set.prototype.has;
    var setAdd = Set.prototype.add;
    var SAFE = 2n ** 53n;
    var CYCLE = 'Converting circular structure to JSON';
    var TOO_DEEP = 'cannot stringify objects nested that deep';
    // The runtime caps string length; a result whose JSON would be longer is too large, not an error of the code.
    var TOO_LONG = 'Invalid string length';

    // With host access denied, Java.type only throws; nothing should be left to try.
    delete global.Java;

    // Sorting without a comparator compares the elements' strings inside the engine, in Java code that cannot be
    // interrupted: toSorted() over 3 million numbers ran 12 to 70 s past any timeout. The same order from a
    // comparator written here is guest code, which the watchdog stops within its limit. A comparator given by the
    // library is used as it is. Installed before the built-ins are snapshotted below, so these count as built-in.
    var nativeSort = Array.prototype.sort;
    var nativeToSorted = Array.prototype.toSorted;
    var NativeSymbolType = 'symbol';

    // The specification's default order (SortCompare): by ToString of each element; undefined and holes are put
    // last by sort itself and never reach a comparator.
    function byString(a, b) {
        if (typeof a === NativeSymbolType || typeof b === NativeSymbolType) {
            throw new NativeTypeError('Cannot convert a Symbol value to a string');
        }
        var x = toText(a);
        var y = toText(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }

    defineProperty(Array.prototype, 'sort', {
        value: {
            sort: function (comparefn) {
                return apply(nativeSort, this, [comparefn === undefined ? byString : comparefn]);
            }
        }.sort,
        writable: true,
        enumerable: false,
        configurable: true
    });
    defineProperty(Array.prototype, 'toSorted', {
        value: {
            toSorted: function (comparefn) {
                return apply(nativeToSorted, this, [comparefn === undefined ? byString : comparefn]);
            }
        }.toSorted,
        writable: true,
        enumerable: false,
        configurable: true
    });

    // The built-in globals and Object.prototype's members as they are before the library runs: a library's function
    // is never one of them. Two native calls, no loop: this runs once per context.
    var builtinGlobals = getOwnPropertyDescriptors(global);
    var builtinMembers = getOwnPropertyDescriptors(Object.prototype);

    function isBuiltin(descriptors, name, value) {
        return apply(hasOwnProperty, descriptors, [name]) && descriptors[name].value === value;
    }

    function Unserializable(message) {
        this.message = message;
    }

    function TooLarge() {
    }

    // JSON.stringify's replacer for results: BigInts become numbers (or strings beyond 2^53), functions and symbols
    // are refused where JSON.stringify would silently drop them. The first call is for the result itself.
    var atRoot = false;

    function resultReplacer(key, value) {
        var root = atRoot;
        atRoot = false;
        switch (typeof value) {
            case 'bigint':
                return value >= -SAFE && value <= SAFE ? toNumber(value) : toText(value);
            case 'function':
                throw new Unserializable(place(root, 'a function', key));
            case 'symbol':
                throw new Unserializable(place(root, 'a symbol', key));
            default:
                return value;
        }
    }

    function place(root, what, key) {
        return root ? 'the result is ' + what + ', which JSON cannot represent'
            : 'the result contains ' + what + ' (at key ' + stringify(toText(key)) + '), which JSON cannot represent';
    }

    // The value as JSON text, undefined for undefined; throws Unserializable.
    function serialize(value) {
        switch (typeof value) {
            case 'number':
            case 'string':
            case 'boolean':
                return stringify(value);
            case 'undefined':
                return undefined;
            default:
                atRoot = true;
                try {
                    return stringify(value, resultReplacer);
                } catch (e) {
                    if (e instanceof NativeTypeError && e.message === CYCLE) {
                        throw new Unserializable('the result contains a cycle, which JSON cannot represent');
                    }
                    if (e instanceof NativeRangeError && e.message === TOO_DEEP) {
                        throw new Unserializable('the result is nested too deeply to serialize as JSON');
                    }
                    if (e instanceof NativeRangeError && e.message === TOO_LONG) {
                        throw new TooLarge();
                    }
                    throw e;
                }
        }
    }

    // Console formatting: strings as they are, everything else JSON-like.
    function inspect(value) {
        switch (typeof value) {
            case 'string':
                return value;
            case 'undefined':
                return 'undefined';
            case 'number':
                return value === 0 && 1 / value < 0 ? '-0' : toText(value);
            case 'bigint':
                return toText(value) + 'n';
            case 'symbol':
                return apply(symbolText, value, []);
            case 'function':
                return '[Function: ' + (value.name || '(anonymous)') + ']';
            case 'boolean':
                return toText(value);
        }
        if (value === null) {
            return 'null';
        }
        if (value instanceof NativeError) {
            return toText(value.stack || value);
        }
        if (value instanceof NativeDate) {
            return value.getTime() === value.getTime() ? apply(dateText, value, []) : 'Invalid Date';
        }
        var seen = new NativeSet();
        try {
            return stringify(value, function (key, nested) {
                switch (typeof nested) {
                    case 'undefined':
                        return 'undefined';
                    case 'bigint':
                    case 'symbol':
                    case 'function':
                        return inspect(nested);
                    case 'object':
                        if (nested !== null) {
                            if (apply(setHas, seen, [nested])) {
                                return '[Circular]';
                            }
                            apply(setAdd, seen, [nested]);
                        }
                        return nested;
                    default:
                        return nested;
                }
            });
        } catch (e) {
            return toText(value);
        }
    }

    // Lines the current call may still log; beyond them lines are only counted, never formatted.
    var remaining = 0;

    function logger(level) {
        return function () {
            if (remaining <= 0) {
                sink(level, null);
                return;
            }
            remaining--;
            var text = '';
            for (var i = 0; i < arguments.length; i++) {
                text += (i === 0 ? '' : ' ') + inspect(arguments[i]);
            }
            sink(level, text);
        };
    }

    defineProperty(global, 'console', {
        value: {
            log: logger('log'),
            info: logger('info'),
            warn: logger('warn'),
            error: logger('error'),
            debug: logger('debug')
        },
        writable: true,
        enumerable: false,
        configurable: true
    });

    return {
        // Before the library's top-level code runs: how many lines it may log.
        budget: function (lines) {
            remaining = lines;
        },

        // Whether a global binding's value is still the built-in of that name (so not the library's function).
        isBuiltin: function (name, value) {
            return isBuiltin(builtinGlobals, name, value) || isBuiltin(builtinMembers, name, value);
        },

        // Call fn with the JSON array's elements. Returns the result's JSON text, undefined for undefined, or
        // {failure, message} when the arguments or the result cannot cross. What fn throws propagates.
        invoke: function (fn, argsJson, lines, maxChars) {
            remaining = lines;
            var args;
            try {
                args = parse(argsJson);
            } catch (e) {
                return {failure: 'ARGUMENTS', message: 'the arguments are not valid JSON'};
            }
            if (!isArray(args)) {
                return {failure: 'ARGUMENTS', message: 'the arguments are not a JSON array'};
            }
            var result = apply(fn, undefined, args);
            var json;
            try {
                json = serialize(result);
            } catch (e) {
                if (e instanceof Unserializable) {
                    return {failure: 'UNSERIALIZABLE', message: e.message};
                }
                if (e instanceof TooLarge) {
                    return {failure: 'TOO_LARGE', message: 'more than the longest string a library may make'};
                }
                throw e;
            }
            // A UTF-16 unit is at least one UTF-8 byte: more units than bytes allowed is too large for sure.
            if (json !== undefined && json.length > maxChars) {
                return {failure: 'TOO_LARGE', message: 'at least ' + json.length + ' bytes'};
            }
            return json;
        },

        // A thrown value as JSON: an Error as the string "name: message", anything else as its JSON.
        describe: function (thrown) {
            if (thrown instanceof NativeError) {
                var name = toText(thrown.name);
                var message = toText(thrown.message);
                return stringify(message === '' ? name : name + ': ' + message);
            }
            try {
                var json = serialize(thrown);
                if (json !== undefined) {
                    return json;
                }
            } catch (e) {
                // Not JSON: fall back to its string form.
            }
            try {
                return stringify(toText(thrown));
            } catch (e) {
                return stringify(typeof thrown);
            }
        }
    };
})
