package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.CompareOp;
import dev.descent.core.Backend.ReduceOp;
import dev.descent.core.Backend.UnaryOp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * CudaBackend passes an op to its kernels as {@code op.ordinal()} of core's Backend enums, and the kernels decode it with C enums
 * of the same names ({@code enum Unary { NEG, ABS, ... }} in elementwise.cu, {@code enum Reduce { SUM, ... }} in reduce.cu) in
 * {@code switch (op)} statements. A constant reordered, added or removed on one side only would make a kernel quietly run another
 * operation, which only a GPU would show; this test reads the sources (no GPU, no nvcc) and checks that every Java ordinal is the
 * CUDA code of the operation of the same name.
 */
class KernelOpCodesTest {
    private static final Path SOURCES = Path.of("src/main/cuda");

    /** A Java enum whose ordinals CudaBackend passes as {@code int op}, and the C enum that decodes them. */
    private record Binding(Class<? extends Enum<?>> java, String file, String cudaEnum) {
        String javaName() {
            return "Backend." + java.getSimpleName();
        }

        List<String> javaConstants() {
            return Arrays.stream(java.getEnumConstants()).map(Enum::name).toList();
        }
    }

    // unary_*, binary_*, compare_* (elementwise.cu) and reduce_*, arg_reduce_* (reduce.cu) take op.ordinal(), see CudaBackend.
    private static final List<Binding> BINDINGS = List.of(
            new Binding(UnaryOp.class, "elementwise.cu", "Unary"),
            new Binding(BinaryOp.class, "elementwise.cu", "Binary"),
            new Binding(CompareOp.class, "elementwise.cu", "Compare"),
            new Binding(ReduceOp.class, "reduce.cu", "Reduce"));

    private static final Pattern ENUM = Pattern.compile("\\benum\\s+(?:class\\s+|struct\\s+)?(\\w+)\\s*(?::\\s*[\\w\\s]+?)?\\{([^}]*)}");
    private static final Pattern ENUMERATOR = Pattern.compile("([A-Za-z_]\\w*)\\s*(?:=\\s*(.+))?", Pattern.DOTALL);
    private static final Pattern SWITCH_ON_OP = Pattern.compile("\\bswitch\\s*\\(\\s*op\\s*\\)\\s*\\{");
    private static final Pattern CASE = Pattern.compile("\\bcase\\s+([^:]+?)\\s*:");
    private static final Pattern OP_AGAINST_NUMBER = Pattern.compile("\\bop\\s*(?:==|!=|<=|>=|<|>)\\s*-?\\d|\\d\\s*(?:==|!=|<=|>=|<|>)\\s*op\\b");

    private static String source(String file) throws IOException {
        return Files.readString(SOURCES.resolve(file), StandardCharsets.UTF_8);
    }

    // ---- the parser: C enums and switch (op) labels out of a .cu text ----

    /** The text with its comments blanked out, line breaks kept (so line numbers stay right). */
    private static String withoutComments(String text) {
        Matcher comment = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*").matcher(text);
        StringBuilder out = new StringBuilder();
        while (comment.find()) {
            comment.appendReplacement(out, " " + comment.group().replaceAll("[^\\n]", ""));
        }
        return comment.appendTail(out).toString();
    }

    /** The constants of {@code enum name { ... }} in the text, with their values (implicit ones counted on as C does). */
    static Map<String, Integer> cudaEnum(String text, String name) {
        Map<String, Integer> constants = null;
        Matcher declaration = ENUM.matcher(withoutComments(text));
        while (declaration.find()) {
            if (!declaration.group(1).equals(name)) {
                continue;
            }
            if (constants != null) {
                throw new IllegalArgumentException("enum " + name + " is declared twice");
            }
            constants = new LinkedHashMap<>();
            int next = 0;
            for (String item : declaration.group(2).split(",")) {
                if (item.isBlank()) {
                    continue;  // a trailing comma
                }
                Matcher enumerator = ENUMERATOR.matcher(item.trim());
                if (!enumerator.matches()) {
                    throw new IllegalArgumentException("enum " + name + ": cannot read the enumerator '" + item.trim() + "'");
                }
                int value = enumerator.group(2) == null ? next : value(enumerator.group(2).trim(), constants, name);
                if (constants.put(enumerator.group(1), value) != null) {
                    throw new IllegalArgumentException("enum " + name + " names " + enumerator.group(1) + " twice");
                }
                next = value + 1;
            }
        }
        if (constants == null) {
            throw new IllegalArgumentException("no enum " + name + " in the source");
        }
        return constants;
    }

    private static int value(String expression, Map<String, Integer> earlier, String name) {
        if (expression.matches("-?\\d+[uUlL]*")) {
            return Integer.parseInt(expression.replaceAll("[uUlL]", ""));
        }
        if (expression.matches("0[xX][0-9a-fA-F]+[uUlL]*")) {
            return Integer.parseInt(expression.substring(2).replaceAll("[uUlL]", ""), 16);
        }
        if (earlier.containsKey(expression)) {
            return earlier.get(expression);
        }
        throw new IllegalArgumentException("enum " + name + ": cannot evaluate the value '" + expression + "'");
    }

    /**
     * Where the Java constants (in ordinal order) and the CUDA enum disagree, one line each naming the enum, the constant, its
     * Java ordinal and its CUDA code; empty when they agree.
     */
    static List<String> mismatches(String javaEnum, List<String> javaConstants, String where, Map<String, Integer> cuda) {
        Map<Integer, String> byCode = new LinkedHashMap<>();
        cuda.forEach((constant, code) -> byCode.putIfAbsent(code, constant));
        List<String> problems = new ArrayList<>();
        for (int ordinal = 0; ordinal < javaConstants.size(); ordinal++) {
            String constant = javaConstants.get(ordinal);
            Integer code = cuda.get(constant);
            if (code == null) {
                problems.add(javaEnum + "." + constant + " (Java ordinal " + ordinal + ") has no constant of that name in " + where
                        + "; the kernel would run " + byCode.getOrDefault(ordinal, "no operation (no CUDA code " + ordinal + ")"));
            } else if (code != ordinal) {
                problems.add(javaEnum + "." + constant + ": Java ordinal " + ordinal + " but CUDA code " + code + " in " + where
                        + "; the kernel would run " + byCode.getOrDefault(ordinal, "no operation (no CUDA code " + ordinal + ")")
                        + " for it");
            }
        }
        for (String constant : cuda.keySet()) {
            if (!javaConstants.contains(constant)) {
                problems.add(where + " has " + constant + " = " + cuda.get(constant) + ", which " + javaEnum + " lacks");
            }
        }
        return problems;
    }

    /**
     * The labels of every {@code switch (op)} must be constants of one of the given enums, and all of one switch of the same
     * enum: a bare number or another enum's constant would bypass the name check above (C's enums convert silently).
     */
    static List<String> switchProblems(String file, String text, Map<String, Map<String, Integer>> enums) {
        String code = withoutComments(text);
        List<String> problems = new ArrayList<>();
        Matcher switches = SWITCH_ON_OP.matcher(code);
        int count = 0;
        while (switches.find()) {
            count++;
            int end = matchingBrace(code, switches.end() - 1);
            String body = code.substring(switches.end(), end);
            String line = "line " + (code.substring(0, switches.start()).split("\n", -1).length);
            List<String> owners = new ArrayList<>();
            Matcher label = CASE.matcher(body);
            while (label.find()) {
                String name = label.group(1);
                List<String> owning = enums.entrySet().stream().filter(e -> e.getValue().containsKey(name)).map(Map.Entry::getKey).toList();
                if (owning.isEmpty()) {
                    problems.add(file + " " + line + ": switch (op) has 'case " + name + ":', not a constant of enum "
                            + String.join(" or ", enums.keySet()) + " (write the operation's name, not its number)");
                } else if (!owners.isEmpty() && Collections.disjoint(owners, owning)) {
                    problems.add(file + " " + line + ": switch (op) mixes constants of enum " + owners.get(0) + " and enum " + owning.get(0)
                            + " ('case " + name + ":')");
                } else if (owners.isEmpty()) {
                    owners.addAll(owning);
                }
            }
        }
        if (count == 0) {
            problems.add(file + " has no switch (op): this test no longer sees how its kernels decode op codes");
        }
        Matcher literal = OP_AGAINST_NUMBER.matcher(code);
        while (literal.find()) {
            problems.add(file + " compares op with a number ('" + literal.group() + "'); compare with the operation's name");
        }
        return problems;
    }

    private static int matchingBrace(String code, int open) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            if (code.charAt(i) == '{') {
                depth++;
            } else if (code.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced braces after offset " + open);
    }

    private static String where(Binding binding) {
        return "enum " + binding.cudaEnum() + " of " + binding.file();
    }

    // ---- the checks on the real sources ----

    @Test
    void everyJavaOpOrdinalIsTheCudaCodeOfTheSameOperation() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Binding binding : BINDINGS) {
            Map<String, Integer> cuda = cudaEnum(source(binding.file()), binding.cudaEnum());
            problems.addAll(mismatches(binding.javaName(), binding.javaConstants(), where(binding), cuda));
        }
        assertEquals(List.of(), problems, "op codes differ between core's Backend enums and the CUDA kernels:\n" + String.join("\n", problems));
    }

    @Test
    void theKernelsDecodeOpCodesByNameOnly() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String file : BINDINGS.stream().map(Binding::file).distinct().toList()) {
            String text = source(file);
            Map<String, Map<String, Integer>> enums = new LinkedHashMap<>();
            for (Binding binding : BINDINGS) {
                if (binding.file().equals(file)) {
                    enums.put(binding.cudaEnum(), cudaEnum(text, binding.cudaEnum()));
                }
            }
            problems.addAll(switchProblems(file, text, enums));
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    // ---- the parser catches a mismatch: the same checks on altered copies (the sources and Backend are left alone) ----

    @Test
    void aCudaEnumWithTwoConstantsSwappedIsCaught() throws IOException {
        String original = source("elementwise.cu");
        String swapped = original.replaceFirst("(enum Unary \\{[^}]*?)\\bEXP, EXPM1\\b", "$1EXPM1, EXP");
        assertFalse(swapped.equals(original), "elementwise.cu's enum Unary no longer lists EXP, EXPM1: pick two other constants");
        Binding unary = BINDINGS.get(0);

        List<String> problems = mismatches(unary.javaName(), unary.javaConstants(), where(unary), cudaEnum(swapped, "Unary"));

        assertEquals(List.of(
                "Backend.UnaryOp.EXP: Java ordinal 5 but CUDA code 6 in enum Unary of elementwise.cu; the kernel would run EXPM1 for it",
                "Backend.UnaryOp.EXPM1: Java ordinal 6 but CUDA code 5 in enum Unary of elementwise.cu; the kernel would run EXP for it"),
                problems);
    }

    @Test
    void aJavaEnumWithTwoConstantsSwappedIsCaught() throws IOException {
        Binding compare = BINDINGS.get(2);
        Map<String, Integer> cuda = cudaEnum(source("elementwise.cu"), "Compare");
        // Backend.CompareOp as it would read with LT and LE swapped (built from the CUDA order, so it holds whatever Backend says)
        List<String> reordered = new ArrayList<>(cuda.keySet());
        Collections.swap(reordered, reordered.indexOf("LT"), reordered.indexOf("LE"));

        List<String> problems = mismatches(compare.javaName(), reordered, where(compare), cuda);

        assertEquals(2, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).startsWith("Backend.CompareOp.LE: Java ordinal 2 but CUDA code 3 in enum Compare of elementwise.cu"),
                problems.get(0));
        assertTrue(problems.get(1).startsWith("Backend.CompareOp.LT: Java ordinal 3 but CUDA code 2"), problems.get(1));
    }

    @Test
    void aConstantOnOneSideOnlyIsCaught() throws IOException {
        Binding reduce = BINDINGS.get(3);
        List<String> added = new ArrayList<>(reduce.javaConstants());
        added.add(1, "MEAN");

        List<String> problems = mismatches(reduce.javaName(), added, where(reduce), cudaEnum(source("reduce.cu"), "Reduce"));

        assertTrue(problems.contains("Backend.ReduceOp.MEAN (Java ordinal 1) has no constant of that name in enum Reduce of reduce.cu;"
                + " the kernel would run PROD"), String.join("\n", problems));
        assertTrue(problems.contains("Backend.ReduceOp.PROD: Java ordinal 2 but CUDA code 1 in enum Reduce of reduce.cu;"
                + " the kernel would run MAX for it"), String.join("\n", problems));
    }

    @Test
    void explicitValuesAndCommentsAreRead() {
        String text = "/* enum Reduce { WRONG }; */ enum Reduce : int { SUM = 0, PROD, // product\n MAX = 0x3, MIN = MAX, };";
        assertEquals(Map.of("SUM", 0, "PROD", 1, "MAX", 3, "MIN", 3), cudaEnum(text, "Reduce"));
        List<String> problems = mismatches("Backend.ReduceOp", List.of("SUM", "PROD", "MAX", "MIN"), "enum Reduce", cudaEnum(text, "Reduce"));
        assertEquals(List.of("Backend.ReduceOp.MAX: Java ordinal 2 but CUDA code 3 in enum Reduce;"
                + " the kernel would run no operation (no CUDA code 2) for it"), problems);
        assertThrows(IllegalArgumentException.class, () -> cudaEnum(text, "Unary"));
    }

    @Test
    void aNumberOrAnotherEnumsConstantAsCaseLabelIsCaught() throws IOException {
        String original = source("elementwise.cu");
        Map<String, Map<String, Integer>> enums = new LinkedHashMap<>();
        for (String name : List.of("Unary", "Binary", "Compare")) {
            enums.put(name, cudaEnum(original, name));
        }
        String numbered = original.replaceFirst("case RELU:", "case 4:");
        String mixed = original.replaceFirst("case SQUARE:", "case MUL:");
        String compared = original + "\n__device__ int odd(int op) { return op == 3; }\n";
        assertFalse(numbered.equals(original) || mixed.equals(original), "elementwise.cu no longer has 'case RELU:' and 'case SQUARE:'");

        assertTrue(switchProblems("elementwise.cu", numbered, enums).stream().anyMatch(p -> p.contains("'case 4:', not a constant")));
        assertTrue(switchProblems("elementwise.cu", mixed, enums).stream()
                .anyMatch(p -> p.contains("mixes constants of enum Unary and enum Binary ('case MUL:')")));
        assertTrue(switchProblems("elementwise.cu", compared, enums).stream().anyMatch(p -> p.contains("compares op with a number")));
    }
}
