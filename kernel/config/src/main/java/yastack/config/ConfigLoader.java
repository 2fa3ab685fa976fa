package yastack.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import yastack.api.config.Bootstrap;

/**
 * Reads a YAML config into {@link Bootstrap} and validates it. Every error names the field
 * path and the line; all problems are reported together.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Reads, parses and validates {@code file}; relative paths inside resolve against its directory. */
    public static LoadedConfig load(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(new ConfigError("", "config file not found: " + file, 0));
        } catch (CharacterCodingException e) {
            throw new ConfigException(new ConfigError("", "config file is not UTF-8 text: " + file, 0));
        } catch (IOException e) {
            throw new ConfigException(new ConfigError("", "cannot read config file " + file + ": " + e.getMessage(), 0));
        }
        Path baseDir = file.toAbsolutePath().normalize().getParent();
        Bootstrap b = read(yaml, file.toString(), baseDir, DpdkProbe::installed);
        return new LoadedConfig(b, file, baseDir);
    }

    /** Parses and validates {@code yaml}; relative paths resolve against {@code baseDir} (or the working directory). */
    public static LoadedConfig parse(String yaml, Path baseDir) throws ConfigException {
        return parse(yaml, baseDir, DpdkProbe::installed);
    }

    /** As {@link #parse(String, Path)}, with the DPDK check replaceable for tests. */
    static LoadedConfig parse(String yaml, Path baseDir, BooleanSupplier dpdkInstalled) throws ConfigException {
        Path dir = (baseDir == null ? Path.of("") : baseDir).toAbsolutePath().normalize();
        return new LoadedConfig(read(yaml, "config", dir, dpdkInstalled), null, dir);
    }

    private static Bootstrap read(String yaml, String label, Path baseDir, BooleanSupplier dpdkInstalled)
            throws ConfigException {
        Node root = compose(yaml, label);
        YamlProtoReader reader = new YamlProtoReader();
        Bootstrap.Builder builder = Bootstrap.newBuilder();
        reader.readRoot(root, builder);
        // Type errors leave fields unset; checking meaning on top would only add noise.
        if (!reader.errors().isEmpty()) throw new ConfigException(reader.errors());
        Bootstrap bootstrap = builder.build();
        List<ConfigError> errors = ConfigValidator.validate(bootstrap, reader.lines(), baseDir, dpdkInstalled, false);
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return bootstrap;
    }

    /**
     * Checks a config put together from the file and a control plane's resources (no YAML, so
     * no lines): every rule of a file, except that clusters may have no endpoints and routes
     * may name clusters still to come. Relative file names resolve against {@code baseDir}.
     */
    public static List<ConfigError> checkComposed(Bootstrap config, Path baseDir) {
        return ConfigValidator.validate(config, new SourceLines(), baseDir, DpdkProbe::installed, true);
    }

    private static Node compose(String yaml, String label) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(label)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(true) // the reader reports duplicates with their path
                .setUseMarks(true)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
            String context = e.getContext() == null ? "" : e.getContext() + ", ";
            String column = mark.map(m -> " at column " + (m.getColumn() + 1)).orElse("");
            throw new ConfigException(new ConfigError("", "YAML syntax error: " + context + e.getProblem() + column,
                    mark.map(m -> m.getLine() + 1).orElse(0)));
        } catch (YamlEngineException e) {
            throw new ConfigException(new ConfigError("", "YAML error: " + e.getMessage(), 0));
        }
        if (root.isEmpty() || (root.get() instanceof ScalarNode s && s.getTag().equals(Tag.NULL))) {
            throw new ConfigException(new ConfigError("", "the config is empty", 0));
        }
        return root.get();
    }
}
