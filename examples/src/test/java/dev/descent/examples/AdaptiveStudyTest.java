package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdaptiveStudyTest {
    @TempDir
    Path directory;

    @Test
    void adamDriftsAwayFromTheOptimumOfReddisProblemWhileAmsgradConverges() {
        AdaptiveStudy.Online adam = AdaptiveStudy.online("adam:betas=0.9/0.999", "Adam", 100_000, 1);
        AdaptiveStudy.Online ams = AdaptiveStudy.online("adam:betas=0.9/0.999,amsgrad=true", "AMSGrad", 100_000, 1);
        assertTrue(ams.finalX() < -0.99, "AMSGrad at " + ams.finalX());
        assertTrue(adam.finalX() > 0, "Adam at " + adam.finalX() + ", past the middle toward the worst point +1");
        assertTrue(ams.averageRegret()[ams.averageRegret().length - 1] < adam.averageRegret()[adam.averageRegret().length - 1]);
    }

    @Test
    void theStepDecayFitsTheRun() {
        assertEquals("constant", AdaptiveStudy.stepDecay(1));
        assertEquals("step:10@2", AdaptiveStudy.stepDecay(2));
        assertEquals("step:10@2,3", AdaptiveStudy.stepDecay(3));
        assertEquals("step:10@5,7", AdaptiveStudy.stepDecay(8));
    }

    @Test
    void theStudyWritesBothExperiments() throws IOException {
        Path out = directory.resolve("study");
        CommandRun run = CommandRun.of("study", "adaptive", "--limit", "512", "--epochs", "2", "--online-steps", "5000", "--threads", "2",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(2, results.get("online").size());
        assertEquals(2, results.get("mnist").size());
        assertEquals(2, results.get("mnist").get(0).get("testLoss").size());
        assertEquals(4, Files.readString(out.resolve("report.html")).split("<svg", -1).length - 1, "four charts");
    }
}
