package org.ccespark.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What {@code cce convert} writes as {@code _dataset.json} beside the converted images: the
 * dataset, the selection, and the features (Parquet) or the image sizes (PNG).
 *
 * @param dataset the dataset's name
 * @param input the input as given
 * @param datasetSize images in the dataset
 * @param images images written
 * @param limit the number of images asked for, or null for all
 * @param seed the seed of the sample, or null for the first images
 * @param classNames the dataset's class names
 * @param features Parquet: features per image; null for PNG
 * @param maxHeight PNG: the largest image height; null for Parquet
 * @param maxWidth PNG: the largest image width; null for Parquet
 * @param channels PNG: the most channels of an image; null for Parquet
 * @param seconds wall-clock seconds of the conversion
 */
public record ConversionReport(String dataset, String input, int datasetSize, long images,
    Integer limit, Long seed, List<String> classNames,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer features,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxHeight,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxWidth,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer channels, double seconds) {}
