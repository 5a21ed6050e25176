-- AlterEnum
ALTER TYPE "ProjectStatus" ADD VALUE 'waiting';
