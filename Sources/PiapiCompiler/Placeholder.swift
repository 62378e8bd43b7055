/// Placeholder until the compiler lands.
enum PiapiCompilerPlaceholder {}
