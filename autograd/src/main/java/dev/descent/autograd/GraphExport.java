package dev.descent.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The graph behind a tensor as Graphviz DOT text: one box per operation (with its output shape),
 * one ellipse per leaf that requires grad (with its shape), and arrows in the direction data flows.
 *
 * <pre>{@code
 * Files.writeString(Path.of("graph.dot"), GraphExport.toDot(loss));
 * // dot -Tpng graph.dot -o graph.png
 * }</pre>
 */
public final class GraphExport {
    private GraphExport() {
    }

    public static String toDot(Tensor output) {
        StringBuilder dot = new StringBuilder("digraph autograd {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n");
        Node root = output.gradientNode();
        if (root == null) {
            dot.append("  n0 [label=\"constant ").append(Arrays.toString(output.shape())).append("\", shape=ellipse];\n");
            return dot.append("}\n").toString();
        }
        Map<Node, Integer> ids = new IdentityHashMap<>();
        Deque<Node> queue = new ArrayDeque<>();
        ids.put(root, 0);
        queue.add(root);
        StringBuilder edges = new StringBuilder();
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            int id = ids.get(node);
            dot.append("  n").append(id).append(" [label=\"").append(label(node)).append("\", shape=")
                    .append(node instanceof GradientAccumulator ? "ellipse" : "box").append("];\n");
            for (Node input : node.next) {
                if (input == null) {
                    continue;
                }
                Integer inputId = ids.get(input);
                if (inputId == null) {
                    inputId = ids.size();
                    ids.put(input, inputId);
                    queue.add(input);
                }
                edges.append("  n").append(inputId).append(" -> n").append(id).append(";\n");
            }
        }
        return dot.append(edges).append("}\n").toString();
    }

    private static String label(Node node) {
        if (node instanceof GradientAccumulator leaf) {
            return "leaf " + Arrays.toString(leaf.leaf.shape()) + "\\nrequiresGrad";
        }
        Function function = (Function) node;
        return function.name() + "\\n" + Arrays.toString(function.outputShape());
    }
}
