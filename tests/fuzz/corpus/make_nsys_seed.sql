-- Seed for the import_nsys fuzz target: the Nsight Systems 2024.6 export schema of
-- tests/import/test_import_nsys.c with one GEMM, one NCCL all-reduce (NVTX payload), a memset
-- and op-id ranges. Rebuild: sqlite3 -cmd 'PRAGMA page_size=512' tests/fuzz/corpus/import_nsys/seed.sqlite < tests/fuzz/corpus/make_nsys_seed.sql
CREATE TABLE StringIds (id INTEGER NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE TARGET_INFO_SESSION_START_TIME (utcEpochNs INTEGER, utcTime TEXT, localTime TEXT);
CREATE TABLE TARGET_INFO_GPU (vmId INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT, busLocation TEXT, clockRate INTEGER, smCount INTEGER);
CREATE TABLE META_DATA_EXPORT (name TEXT NOT NULL, value TEXT);
CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER NOT NULL, contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL, correlationId INTEGER, globalPid INTEGER, demangledName INTEGER NOT NULL, shortName INTEGER NOT NULL, mangledName INTEGER, launchType INTEGER, cacheConfig INTEGER, registersPerThread INTEGER NOT NULL, gridX INTEGER NOT NULL, gridY INTEGER NOT NULL, gridZ INTEGER NOT NULL, blockX INTEGER NOT NULL, blockY INTEGER NOT NULL, blockZ INTEGER NOT NULL, staticSharedMemory INTEGER NOT NULL, dynamicSharedMemory INTEGER NOT NULL, localMemoryPerThread INTEGER NOT NULL, localMemoryTotal INTEGER NOT NULL, gridId INTEGER NOT NULL, sharedMemoryExecuted INTEGER, graphNodeId INTEGER, sharedMemoryLimitConfig INTEGER);
CREATE TABLE CUPTI_ACTIVITY_KIND_MEMCPY (start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER NOT NULL, contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL, correlationId INTEGER, globalPid INTEGER, bytes INTEGER NOT NULL, copyKind INTEGER NOT NULL, deprecatedSrcId INTEGER, srcKind INTEGER, dstKind INTEGER, srcDeviceId INTEGER, srcContextId INTEGER, dstDeviceId INTEGER, dstContextId INTEGER, migrationCause INTEGER, graphNodeId INTEGER, virtualAddress INTEGER);
CREATE TABLE CUPTI_ACTIVITY_KIND_MEMSET (start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER NOT NULL, contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL, correlationId INTEGER, globalPid INTEGER, value INTEGER NOT NULL, bytes INTEGER NOT NULL, graphNodeId INTEGER, memKind INTEGER);
CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME (start INTEGER NOT NULL, end INTEGER NOT NULL, eventClass INTEGER NOT NULL, globalTid INTEGER, correlationId INTEGER, nameId INTEGER NOT NULL, returnValue INTEGER NOT NULL, callchainId INTEGER);
CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, end INTEGER, eventType INTEGER NOT NULL, rangeId INTEGER, category INTEGER, color INTEGER, text TEXT, globalTid INTEGER, endGlobalTid INTEGER, textId INTEGER, domainId INTEGER, uint64Value INTEGER, int64Value INTEGER, doubleValue REAL, uint32Value INTEGER, int32Value INTEGER, floatValue REAL, jsonTextId INTEGER, jsonText TEXT, binaryData TEXT);
INSERT INTO META_DATA_EXPORT VALUES('EXPORT_PRODUCT_VERSION','2024.6.2.225');
INSERT INTO META_DATA_EXPORT VALUES('EXPORT_SCHEMA_VERSION','3.16.1');
INSERT INTO TARGET_INFO_SESSION_START_TIME VALUES(1790857026000000000, NULL, NULL);
INSERT INTO TARGET_INFO_GPU VALUES(0, 0, 'NVIDIA H100 80GB HBM3', '0000:18:00.0', 1980000000, 132);
INSERT INTO StringIds VALUES (1,'nvjet_sm90_tst_128x64_64x8_1x2_h_bz_NNT'),(2,'ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)'),(4,'ncclAllReduce'),(20,'decode/mb0/L000/qkv_gemm'),(21,'decode/mb0/L000/attn_allreduce'),(90,'cuLaunchKernelEx');
INSERT INTO NVTX_EVENTS (start,end,eventType,text,globalTid,textId,jsonText) VALUES (1000,3000,59,NULL,1677721700,20,NULL);
INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (1500,2000,1,1677721700,11,90,0,NULL);
INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start,end,deviceId,contextId,streamId,correlationId,globalPid,demangledName,shortName,registersPerThread,gridX,gridY,gridZ,blockX,blockY,blockZ,staticSharedMemory,dynamicSharedMemory,localMemoryPerThread,localMemoryTotal,gridId) VALUES (5000,9000,0,1,7,11,1677721600,1,1,32,16,1,1,512,1,1,0,0,0,0,1);
INSERT INTO NVTX_EVENTS (start,end,eventType,text,globalTid,textId,jsonText) VALUES (3500,6000,59,NULL,1677721700,21,NULL);
INSERT INTO NVTX_EVENTS (start,end,eventType,text,globalTid,textId,jsonText) VALUES (4000,5000,59,NULL,1677721700,4,'{"Message size [bytes]":131072,"NCCL communicator ID":77}');
INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (4200,4700,1,1677721700,12,90,0,NULL);
INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start,end,deviceId,contextId,streamId,correlationId,globalPid,demangledName,shortName,registersPerThread,gridX,gridY,gridZ,blockX,blockY,blockZ,staticSharedMemory,dynamicSharedMemory,localMemoryPerThread,localMemoryTotal,gridId) VALUES (9500,20000,0,1,7,12,1677721600,2,2,32,16,1,1,512,1,1,0,0,0,0,1);
INSERT INTO CUPTI_ACTIVITY_KIND_MEMSET (start,end,deviceId,contextId,streamId,correlationId,globalPid,value,bytes) VALUES (20500,21000,0,1,7,13,1677721600,0,4096);
VACUUM;
