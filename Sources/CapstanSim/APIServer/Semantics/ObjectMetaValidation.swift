import CapstanAPI

/// apimachinery's `ValidateObjectMeta` checks on labels and annotations, which kube runs on
/// every create and update of every kind. Keys are checked in sorted order so that the
/// message is stable (kube's map order is random).
enum ObjectMetaValidation {
    /// `TotalAnnotationSizeLimitB`: keys and values together.
    static let maximumAnnotationBytes = 256 * 1024

    static func errors(_ metadata: JSONValue?) -> [FieldError] {
        var errors: [FieldError] = []
        let labels = metadata?["labels"]?.objectValue ?? [:]
        for key in labels.keys.sorted() {
            errors += ValidationRules.qualifiedName(key).map { FieldError.invalid("metadata.labels", value: key, $0) }
            let value = labels[key]?.stringValue ?? ""
            errors += ValidationRules.labelValue(value).map { FieldError.invalid("metadata.labels", value: value, $0) }
        }
        let annotations = metadata?["annotations"]?.objectValue ?? [:]
        var annotationBytes = 0
        for key in annotations.keys.sorted() {
            // Annotation keys are qualified names in any letter case.
            errors += ValidationRules.qualifiedName(key.lowercased()).map {
                FieldError.invalid("metadata.annotations", value: key, $0)
            }
            annotationBytes += key.utf8.count + (annotations[key]?.stringValue?.utf8.count ?? 0)
        }
        if annotationBytes > maximumAnnotationBytes {
            errors.append(.tooLong("metadata.annotations", maximumBytes: maximumAnnotationBytes))
        }
        return errors
    }
}
