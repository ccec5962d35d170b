export { cifar10DataSource, fashionMnistDataSource, mnistDataSource } from './builtinDataSources.js';
export type { DataSourceDefinition, DataSourceShape, DataSpec, LocateOptions } from './dataSource.js';
export {
  type DataRequest,
  dataIdentity,
  dataSource,
  dataSourceNames,
  dataSpecShape,
  loadData,
  prepareDataSpec,
  registerDataSource,
} from './dataSourceRegistry.js';
export { FILE_PREPROCESSING, type FileDataSet, fileDataSource } from './fileDataSource.js';
export { MAX_SYNTHETIC_VALUES, syntheticDataSource } from './syntheticDataSource.js';
