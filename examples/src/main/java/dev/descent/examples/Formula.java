package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A formula such as {@code b1*(1-exp(-b2*x))} parsed into a tree and evaluated with tensor
 * ops, so that autograd differentiates it exactly. Grammar:
 * <pre>
 *   sum     = product (('+' | '-') product)*
 *   product = unary (('*' | '/') unary)*
 *   unary   = '-' unary | primary
 *   primary = number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
 * </pre>
 * Numbers are in Java's double syntax; names are the parameters b1..bp, the data's columns and
 * the constant {@code pi}; functions are exp, log, sqrt, pow, sin, cos, tan, atan and abs.
 */
final class Formula {
    private static final Set<String> FUNCTIONS = Set.of("exp", "log", "sqrt", "pow", "sin", "cos", "tan", "atan", "abs");

    private sealed interface Node permits Constant, Name, Negate, Binary, Call {
    }

    private record Constant(double value) implements Node {
    }

    private record Name(String name) implements Node {
    }

    private record Negate(Node operand) implements Node {
    }

    private record Binary(char op, Node left, Node right) implements Node {
    }

    private record Call(String function, List<Node> arguments) implements Node {
    }

    private final String text;
    private final String what;
    private final Node root;
    private final Set<String> names = new TreeSet<>();
    private int position;

    private Formula(String what, String text) {
        this.what = what;
        this.text = text;
        this.root = parseSum();
        skipSpaces();
        if (position < text.length()) {
            throw unexpected();
        }
    }

    /** Parses {@code text}; {@code what} names it in errors (e.g. {@code --model}). */
    static Formula parse(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new UsageException("fit: " + what + " is empty");
        }
        return new Formula(what, text);
    }

    /** The names the formula uses (parameters and columns; not functions or pi). */
    Set<String> names() {
        return names;
    }

    /** The highest p such that the formula names bp (0 when it names no parameter). */
    int parameterCount() {
        int count = 0;
        for (String name : names) {
            if (name.matches("b[1-9][0-9]*")) {
                count = Math.max(count, Integer.parseInt(name.substring(1)));
            }
        }
        return count;
    }

    /** The value with every name bound to a tensor. */
    Tensor evaluate(Map<String, Tensor> values) {
        return evaluate(root, values);
    }

    private Tensor evaluate(Node node, Map<String, Tensor> values) {
        if (node instanceof Constant c) {
            return Tensor.scalar(DType.FLOAT64, c.value());
        }
        if (node instanceof Name n) {
            return values.get(n.name());
        }
        if (node instanceof Negate n) {
            return evaluate(n.operand(), values).neg();
        }
        if (node instanceof Binary b) {
            Tensor left = evaluate(b.left(), values);
            Tensor right = evaluate(b.right(), values);
            return switch (b.op()) {
                case '+' -> left.add(right);
                case '-' -> left.sub(right);
                case '*' -> left.mul(right);
                default -> left.div(right);
            };
        }
        Call c = (Call) node;
        Tensor a = evaluate(c.arguments().get(0), values);
        return switch (c.function()) {
            case "exp" -> a.exp();
            case "log" -> a.log();
            case "sqrt" -> a.sqrt();
            case "sin" -> a.sin();
            case "cos" -> a.cos();
            case "tan" -> a.tan();
            case "atan" -> a.atan();
            case "abs" -> a.abs();
            default -> c.arguments().get(1) instanceof Constant exponent ? a.pow(exponent.value())
                    : a.pow(evaluate(c.arguments().get(1), values));
        };
    }

    private Node parseSum() {
        Node left = parseProduct();
        while (true) {
            skipSpaces();
            if (peek('+') || peek('-')) {
                char op = text.charAt(position++);
                left = new Binary(op, left, parseProduct());
            } else {
                return left;
            }
        }
    }

    private Node parseProduct() {
        Node left = parseUnary();
        while (true) {
            skipSpaces();
            if (peek('*') || peek('/')) {
                char op = text.charAt(position++);
                left = new Binary(op, left, parseUnary());
            } else {
                return left;
            }
        }
    }

    private Node parseUnary() {
        skipSpaces();
        if (peek('-')) {
            position++;
            return new Negate(parseUnary());
        }
        return parsePrimary();
    }

    private Node parsePrimary() {
        skipSpaces();
        if (position >= text.length()) {
            throw error("the formula ends where a value was expected");
        }
        char c = text.charAt(position);
        if (c == '(') {
            position++;
            Node inner = parseSum();
            expect(')');
            return inner;
        }
        if (Character.isDigit(c) || c == '.') {
            return number();
        }
        if (Character.isLetter(c) || c == '_') {
            int start = position;
            while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
                position++;
            }
            String name = text.substring(start, position);
            skipSpaces();
            if (peek('(')) {
                if (!FUNCTIONS.contains(name)) {
                    position = start;
                    throw error("unknown function '" + name + "' (functions: " + String.join(", ", new TreeSet<>(FUNCTIONS)) + ")");
                }
                position++;
                List<Node> arguments = new ArrayList<>();
                arguments.add(parseSum());
                skipSpaces();
                while (peek(',')) {
                    position++;
                    arguments.add(parseSum());
                    skipSpaces();
                }
                expect(')');
                int wanted = name.equals("pow") ? 2 : 1;
                if (arguments.size() != wanted) {
                    throw error(name + " takes " + wanted + " argument" + (wanted == 1 ? "" : "s") + ", got " + arguments.size());
                }
                return new Call(name, arguments);
            }
            if (name.equals("pi")) {
                return new Constant(Math.PI);
            }
            if (FUNCTIONS.contains(name)) {
                position = start;
                throw error("function '" + name + "' needs parentheses");
            }
            names.add(name);
            return new Name(name);
        }
        throw unexpected();
    }

    private Node number() {
        int start = position;
        while (position < text.length() && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
            position++;
        }
        if (position < text.length() && (text.charAt(position) == 'e' || text.charAt(position) == 'E')) {
            position++;
            if (position < text.length() && (text.charAt(position) == '+' || text.charAt(position) == '-')) {
                position++;
            }
            while (position < text.length() && Character.isDigit(text.charAt(position))) {
                position++;
            }
        }
        String literal = text.substring(start, position);
        try {
            return new Constant(Double.parseDouble(literal));
        } catch (NumberFormatException e) {
            position = start;
            throw error("'" + literal + "' is not a number");
        }
    }

    private void expect(char c) {
        skipSpaces();
        if (!peek(c)) {
            if (position < text.length() && powerOperator()) {
                throw unexpected();
            }
            throw error(position < text.length() ? "expected '" + c + "' but found '" + text.charAt(position) + "'" : "missing '" + c + "'");
        }
        position++;
    }

    private boolean peek(char c) {
        return position < text.length() && text.charAt(position) == c;
    }

    private void skipSpaces() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    /** Whether the text at the position is a power operator of another language: ^ or **. */
    private boolean powerOperator() {
        return text.startsWith("^", position) || text.startsWith("**", position) || (position > 0 && text.startsWith("**", position - 1));
    }

    /** The character at the position is not allowed there; ^ and ** get a hint to pow. */
    private UsageException unexpected() {
        if (powerOperator()) {
            String operator = text.startsWith("^", position) ? "^" : "**";
            if (!text.startsWith("**", position) && operator.equals("**")) {
                position--;
            }
            return new UsageException("fit: " + what + " '" + text + "': '" + operator + "' at column " + (position + 1)
                    + " is not an operator here; use pow(a, b) for powers, e.g. pow(x, 2)");
        }
        return error("unexpected '" + text.charAt(position) + "'");
    }

    private UsageException error(String message) {
        return new UsageException("fit: " + what + " '" + text + "': " + message + " at column " + (position + 1));
    }
}
